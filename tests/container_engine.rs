//! `.ci/container-engine mirror`: the Debian archive that debootstrap builds
//! the runtime image from is read from the machine's own apt sources, in
//! either format, never from a host the script names. Each test gives the
//! script a root of its own (`RESTLINGS_APT_ROOT`) holding only the files it
//! writes; nothing here starts or touches a Docker engine.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Hosts under `.invalid` (RFC 2606), which resolve nowhere.
const ARCHIVE: &str = "http://apt-cache.invalid/debian";
const SECURITY: &str = "http://apt-cache.invalid/debian-security";

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/container-engine")
}

struct Ran {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// A root with `files` (path under the root, text), and the script's
/// `mirror` command run against it.
fn mirror_with(files: &[(&str, &str)]) -> Ran {
    let root = tempfile::tempdir().expect("a temp dir");
    for (path, text) in files {
        let path = root.path().join(path);
        let dir = path.parent().expect("files sit in a folder");
        fs::create_dir_all(dir).expect("create the folder");
        fs::write(&path, text).expect("write the file");
    }
    let output = Command::new("bash")
        .arg(script())
        .arg("mirror")
        .env("RESTLINGS_APT_ROOT", root.path())
        .env_remove("RESTLINGS_DEBIAN_MIRROR")
        .output()
        .expect("bash runs the script");
    Ran {
        ok: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

const OS_RELEASE: (&str, &str) = ("etc/os-release", "ID=debian\nVERSION_CODENAME=bookworm\n");

#[test]
fn the_mirror_comes_from_the_machines_apt_sources_in_either_format() {
    // (what the case is, the files, the archive expected)
    let deb822 = format!(
        "Types: deb\n# a comment inside the stanza\nURIs: {ARCHIVE}/\nSuites: bookworm \
         bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n\
         Types: deb\nURIs: {SECURITY}\nSuites: bookworm-security\nComponents: main\n"
    );
    let third_party_first = format!(
        "Types: deb\nURIs: http://vendor.invalid/node\nSuites: nodistro\nComponents: main\n\n{deb822}"
    );
    let one_line = format!(
        "# the archive\ndeb-src {ARCHIVE} bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] \
         {ARCHIVE} bookworm main\ndeb {SECURITY} bookworm-security main\n"
    );
    let mirrors = format!("# first\n{ARCHIVE}\n");
    let mirror_list = "Types: deb\nURIs: mirror+file:///etc/apt/mirrors/debian.list\n\
                       Suites: bookworm\nComponents: main\n";
    let cases: [(&str, Vec<(&str, &str)>); 4] = [
        (
            "a deb822 debian.sources",
            vec![
                OS_RELEASE,
                ("etc/apt/sources.list.d/debian.sources", &deb822),
            ],
        ),
        (
            "a third-party source listed before Debian's",
            vec![
                OS_RELEASE,
                ("etc/apt/sources.list.d/debian.sources", &third_party_first),
            ],
        ),
        (
            "a one-line sources.list with options and a deb-src line",
            vec![OS_RELEASE, ("etc/apt/sources.list", &one_line)],
        ),
        (
            "a mirror+file: list, as cloud images ship",
            vec![
                OS_RELEASE,
                ("etc/apt/sources.list.d/debian.sources", mirror_list),
                ("etc/apt/mirrors/debian.list", &mirrors),
            ],
        ),
    ];

    for (case, files) in cases {
        let ran = mirror_with(&files);

        assert!(
            ran.ok && ran.stdout.contains(&format!("MIRROR={ARCHIVE}\n")),
            "with {case}, debootstrap must use the machine's own archive, MIRROR={ARCHIVE}, so \
             that the image follows the machine's proxy or local mirror. Got:\n{}{}",
            ran.stdout,
            ran.stderr
        );
    }
    let ran = mirror_with(&[
        OS_RELEASE,
        ("etc/apt/sources.list.d/debian.sources", &deb822),
    ]);
    assert!(
        ran.stdout
            .contains(&format!("SECURITY_MIRROR={SECURITY}\n")),
        "the security archive the image lists comes from the machine's sources too, \
         SECURITY_MIRROR={SECURITY}. Got:\n{}{}",
        ran.stdout,
        ran.stderr
    );
}

#[test]
fn without_a_debian_source_the_mirror_detection_stops_and_says_where_it_looked() {
    let disabled = format!("Types: deb\nURIs: {ARCHIVE}\nSuites: bookworm\nEnabled: no\n");

    for files in [
        vec![OS_RELEASE],
        vec![
            OS_RELEASE,
            ("etc/apt/sources.list.d/debian.sources", &disabled),
        ],
    ] {
        let ran = mirror_with(&files);

        assert!(
            !ran.ok
                && ran.stderr.contains("sources.list")
                && ran.stderr.contains("RESTLINGS_DEBIAN_MIRROR"),
            "with no enabled Debian source the script must stop with an error naming the files \
             it read and the variable that overrides them, not guess a host. Got:\n{}{}",
            ran.stdout,
            ran.stderr
        );
    }
}

#[test]
fn the_container_engine_script_names_no_host() {
    let text = fs::read_to_string(script()).expect("the script is in .ci/");

    let urls: Vec<&str> = text.lines().filter(|line| line.contains("://")).collect();

    assert!(
        urls.is_empty(),
        "a host written into the script overrides the machine's configuration (its proxy, \
         its local mirror) and fails where that host is not reachable: read it from the apt \
         sources instead. Lines with a URL:\n{}",
        urls.join("\n")
    );
}
