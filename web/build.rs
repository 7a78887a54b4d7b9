//! Reads every lab file of `static/labs/` (all `*.toml` but `index.toml`) at build
//! time, so a new lab needs no code change and the app carries no TOML parser:
//!
//! - `labs.bincode`: every lab, in `index.toml`'s order, in the types of
//!   `src/labs/model.rs`, which the app reads back ([`all`](src/labs/mod.rs));
//! - `lab_cards.bincode`: their cards, what the labs list shows (the page's first
//!   load carries these, not the labs' steps);
//! - `lab_files.rs`: the files' text, for the tests that check them.
//!
//! A file that does not parse, whose name is not its id, or that `index.toml`
//! does not list fails the build, naming the file and where.

use std::fmt::Write;
use std::path::Path;

#[path = "src/labs/model.rs"]
#[allow(dead_code)]
mod model;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../static/labs");
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rerun-if-changed=src/labs/model.rs");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("static/labs exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml") && n != "index.toml")
        .collect();
    names.sort();

    let index_path = dir.join("index.toml");
    println!("cargo:rerun-if-changed={}", index_path.display());
    let index: model::Index = toml::from_str(&read(&index_path))
        .unwrap_or_else(|e| fail(&format!("static/labs/index.toml: {e}")));

    let mut files = String::from("/// The lab files, by id.\nconst FILES: &[(&str, &str)] = &[\n");
    let mut labs = Vec::new();
    for n in &names {
        let path = dir.join(n);
        println!("cargo:rerun-if-changed={}", path.display());
        let id = n.trim_end_matches(".toml");
        let _ = writeln!(
            files,
            "    ({:?}, include_str!({:?})),",
            id,
            path.canonicalize().expect("lab file").display().to_string()
        );
        let lab: model::Lab =
            toml::from_str(&read(&path)).unwrap_or_else(|e| fail(&format!("static/labs/{n}: {e}")));
        if lab.id != id {
            fail(&format!("static/labs/{n}: its id is '{}'", lab.id));
        }
        let Some(place) = index.labs.iter().position(|l| l == id) else {
            fail(&format!("static/labs/{n}: not listed in index.toml"));
        };
        labs.push((place, lab));
    }
    for id in &index.labs {
        if !names.iter().any(|n| n.trim_end_matches(".toml") == id) {
            fail(&format!(
                "static/labs/index.toml lists '{id}', which has no file"
            ));
        }
    }
    labs.sort_by_key(|(place, _)| *place);
    let labs: Vec<model::Lab> = labs.into_iter().map(|(_, l)| l).collect();
    files.push_str("];\n");

    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).to_path_buf();
    std::fs::write(out.join("lab_files.rs"), files).expect("write lab_files.rs");
    let bytes = bincode::serialize(&labs).expect("labs serialize");
    std::fs::write(out.join("labs.bincode"), bytes).expect("write labs.bincode");
    let cards: Vec<model::Card> = labs.iter().map(model::Lab::card).collect();
    let bytes = bincode::serialize(&cards).expect("cards serialize");
    std::fs::write(out.join("lab_cards.bincode"), bytes).expect("write lab_cards.bincode");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())))
}

fn fail(why: &str) -> ! {
    eprintln!("error: {why}");
    std::process::exit(1);
}
