//! The README's set-up commands work exactly as typed on a fresh clone: every
//! `scripts/*.sh` it names exists and is executable, in the working tree and in
//! git's index (a clone takes the run bit from the index, not from this disk).

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use mqttlab_tests::workspace_root;

/// The `scripts/NAME.sh` paths README.md names, each once.
fn scripts_named_in_readme() -> Vec<String> {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let mut found: Vec<String> = Vec::new();
    for (at, _) in readme.match_indices("scripts/") {
        let rest = &readme[at..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || "/_-.".contains(c)))
            .unwrap_or(rest.len());
        let path = rest[..end].trim_end_matches('.');
        if path.ends_with(".sh") && !found.iter().any(|f| f == path) {
            found.push(path.to_string());
        }
    }
    found
}

#[test]
fn every_script_the_readme_names_is_executable() {
    let scripts = scripts_named_in_readme();
    for needed in ["scripts/serve.sh", "scripts/test.sh"] {
        assert!(
            scripts.iter().any(|s| s == needed),
            "README.md should name {needed}"
        );
    }
    let root = workspace_root();
    for script in &scripts {
        let meta = std::fs::metadata(root.join(script))
            .unwrap_or_else(|e| panic!("README.md names {script}, which is not there: {e}"));
        assert!(
            meta.permissions().mode() & 0o111 != 0,
            "{script} is not executable: `{script}` fails as typed (chmod +x and git update-index --chmod=+x)"
        );
    }
    // A checkout made without git (an archive) has no index to ask.
    if !root.join(".git").exists() {
        return;
    }
    let out = Command::new("git")
        .arg("-C")
        .arg(&root)
        .args(["ls-files", "-s", "--"])
        .args(&scripts)
        .output()
        .expect("git runs");
    let listed = String::from_utf8_lossy(&out.stdout);
    for script in &scripts {
        let mode = listed
            .lines()
            .find(|l| l.ends_with(&format!("\t{script}")))
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or_else(|| panic!("{script} is not tracked by git:\n{listed}"));
        assert_eq!(
            mode, "100755",
            "{script} is not executable in git (mode {mode}): a fresh clone cannot run it as typed; git update-index --chmod=+x {script}"
        );
    }
}
