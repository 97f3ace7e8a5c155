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

#[test]
fn the_check_fails_on_console_errors_and_missing_charts() -> Result<(), Box<dyn std::error::Error>>
{
    if !Path::new(CHROMIUM).exists() {
        eprintln!("{CHROMIUM} not found; skipping the headless browser check");
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let run = |page: &str, min_charts: &str| -> Result<std::process::Output, std::io::Error> {
        let path = dir.path().join("page.html");
        std::fs::write(&path, page)?;
        Command::new("bash")
            .arg(script())
            .arg(&path)
            .arg(dir.path().join("page.png"))
            .arg(min_charts)
            .output()
    };
    // A deliberate console message and an uncaught error: the check must see both.
    let broken = r#"<!DOCTYPE html><html><body><svg width="10" height="10"></svg>
<script>console.error("deliberate"); notDefined();</script></body></html>"#;
    let out = run(broken, "1")?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a console error passed the check");
    assert!(
        stderr.contains("deliberate") && stderr.contains("Uncaught"),
        "{stderr}"
    );
    // Fewer charts than asked for.
    let out = run(
        "<!DOCTYPE html><html><body><p>no charts</p></body></html>",
        "1",
    )?;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("0 <svg> charts"));
    Ok(())
}

#[test]
fn the_check_skips_cleanly_without_chromium() -> Result<(), Box<dyn std::error::Error>> {
    // No browser on the PATH: the script must say so and succeed, so CI without Chromium
    // passes. It looks for the browser before it runs any other command.
    let out = Command::new("/bin/bash")
        .env_clear()
        .env("PATH", "/nonexistent")
        .arg(script())
        .arg("page.html")
        .arg("page.png")
        .output()?;
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "chromium not found; skipping"
    );
    Ok(())
}
