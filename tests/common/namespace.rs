//! Tests that need a namespace of their own (a network with a firewall rule, a tiny tmpfs): the
//! test runs its own binary again under `unshare`, with a marker in the environment, and does
//! its work in that second run.

use std::process::Command;

/// Where a namespaced test is running.
pub enum Run {
    /// Inside the namespace: do the work (print `SKIPPED: why` and return when it cannot).
    Inside,
    /// Outside: the inner run ended (passed, or skipped with its reason said); return.
    Done,
}

/// Outside the namespace (no `marker` in the environment), runs `test` of this binary again
/// under `unshare FLAG` and checks it passed; a run that could not make its namespace or said
/// `SKIPPED:` is a skip with the reason, and a failure under CI (`CI` set), which installs what
/// these tests need and runs as root.
pub fn rerun_inside(flag: &str, marker: &str, test: &str) -> Run {
    if std::env::var_os(marker).is_some() {
        return Run::Inside;
    }
    let exe = std::env::current_exe().unwrap();
    let output = Command::new("unshare")
        .arg(flag)
        .arg(&exe)
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(marker, "1")
        .output();
    let output = match output {
        Ok(output) => output,
        Err(e) => {
            skip(&format!("unshare cannot run here ({e})"));
            return Run::Done;
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.starts_with("unshare:") {
        skip(&format!(
            "no namespace can be made here ({})",
            stderr.trim()
        ));
        return Run::Done;
    }
    if let Some(why) = stdout.lines().find_map(|l| l.strip_prefix("SKIPPED: ")) {
        skip(why);
        return Run::Done;
    }
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "inside the namespace:\n{stdout}\n{stderr}"
    );
    Run::Done
}

fn skip(why: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "CI runs as root with unshare, iptables and mount, yet: {why}"
    );
    eprintln!("skipped: {why}");
}
