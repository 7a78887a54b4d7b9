//! Entry point of the browser lab: mounts [`mqttlab_web::App`] on the page.

fn main() {
    yew::Renderer::<mqttlab_web::App>::new().render();
}
