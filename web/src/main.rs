//! The page's first load: mounts the [`shell`](mqttlab_web::shell) (the frame and
//! the labs list), which loads the pages module (`bin/app_pages.rs`) for
//! everything else.

fn main() {
    mqttlab_web::shell::start();
}
