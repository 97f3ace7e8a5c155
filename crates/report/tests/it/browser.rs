//! The dashboard in a real browser: `tools/check_dashboard.sh` renders a page with every
//! chart kind in headless Chromium, checks the charts and the console, and saves a screenshot.
//! Skipped, with a message, where Chromium is not installed.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::sample;

const CHROMIUM: &str = "/usr/bin/chromium";

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/check_dashboard.sh")
}

#[test]
fn the_dashboard_renders_in_headless_chromium() -> Result<(), Box<dyn std::error::Error>> {
    if !Path::new(CHROMIUM).exists() {
        eprintln!("{CHROMIUM} not found; skipping the headless browser check");
        return Ok(());
    }
    // DASHBOARD_CHECK_DIR keeps the page and the screenshot for a person to look at.
    let dir = tempfile::tempdir()?;
    let out_dir = std::env::var_os("DASHBOARD_CHECK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.path().to_path_buf());
    std::fs::create_dir_all(&out_dir)?;
    let page = out_dir.join("dashboard.html");
    let shot = out_dir.join("dashboard.png");
    // Hostile text in every slot, so the browser sees what escaping produced.
    let html = sample::dashboard("<script>alert(1)</script> \"q\" 'a' & ")?.to_html()?;
    std::fs::write(&page, html)?;
    let out = Command::new("bash")
        .arg(script())
        .arg(&page)
        .arg(&shot)
        .arg(sample::CHARTS.to_string())
        .output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "check failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("OK"), "{stdout}");
    // A PNG: the 8-byte signature and more than a blank page's worth of bytes.
    let png = std::fs::read(&shot)?;
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 20_000,
        "{} bytes",
        png.len()
    );
    Ok(())
}
