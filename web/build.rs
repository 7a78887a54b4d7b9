//! Embeds every lab file of `static/labs/` (all `*.toml` but `index.toml`), so a
//! new lab needs no code change: the tests then check it parses, is indexed and
//! can be completed.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../static/labs");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("static/labs exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml") && n != "index.toml")
        .collect();
    names.sort();
    let mut out = String::from("/// The lab files, by id.\nconst FILES: &[(&str, &str)] = &[\n");
    for n in &names {
        let path = dir.join(n);
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            out,
            "    ({:?}, include_str!({:?})),",
            n.trim_end_matches(".toml"),
            path.canonicalize().expect("lab file").display().to_string()
        );
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("lab_files.rs");
    std::fs::write(target, out).expect("write lab_files.rs");
}
