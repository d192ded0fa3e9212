//! `cargo xtask bench` writes what it measured to `BENCHMARKS.md` and `BENCHMARKS.json`: the machine, then each
//! benchmark's command, duration and printed figures (distributions and ratios measured in the same run).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{cmd, root, Result};

pub struct Section {
    pub title: String,
    pub command: String,
    pub seconds: f64,
    pub lines: Vec<String>,
}

#[derive(Default)]
pub struct Report {
    pub sections: Vec<Section>,
}

impl Report {
    /// Lines measured by xtask itself (e.g. transfer sizes).
    pub fn add(&mut self, title: &str, lines: Vec<String>) {
        for l in &lines {
            println!("{l}");
        }
        self.sections.push(Section {
            title: title.into(),
            command: "cargo xtask bench".into(),
            seconds: 0.0,
            lines,
        });
    }

    /// Runs a benchmark, its output shown as it comes and kept; an error if it fails.
    pub fn run(&mut self, title: &str, mut c: Command) -> Result {
        let what = cmd::describe(&c);
        println!("$ {what}");
        let start = Instant::now();
        let mut child = c
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start `{what}`: {e}"))?;
        let mut lines = Vec::new();
        if let Some(out) = child.stdout.take() {
            for line in BufReader::new(out).lines().map_while(std::io::Result::ok) {
                println!("{line}");
                lines.push(line);
            }
        }
        let status = child.wait().map_err(|e| format!("`{what}`: {e}"))?;
        if !status.success() {
            return Err(format!("`{what}` failed ({status})"));
        }
        self.sections.push(Section {
            title: title.into(),
            command: what,
            seconds: start.elapsed().as_secs_f64(),
            lines,
        });
        Ok(())
    }

    pub fn write(&self) -> Result {
        let machine = machine();
        let mut md = String::from(
            "# Benchmarks\n\nWritten by `cargo xtask bench` (do not edit by hand). Every figure below was measured in one \
             run on the machine named here, on loopback against the real worker on `wrangler dev` (workerd, local D1 \
             and KV); the benchmark client shares the machine's cores with the worker.\n\n## Machine\n\n",
        );
        for (k, v) in &machine {
            md.push_str(&format!("- {k}: {v}\n"));
        }
        let mut json = String::from("{\n  \"machine\": {");
        json.push_str(
            &machine
                .iter()
                .map(|(k, v)| format!("\n    {}: {}", quote(k), quote(v)))
                .collect::<Vec<_>>()
                .join(","),
        );
        json.push_str("\n  },\n  \"sections\": [");
        let mut first = true;
        for s in &self.sections {
            md.push_str(&format!("\n## {}\n\n`{}`", s.title, s.command));
            if s.seconds > 0.0 {
                md.push_str(&format!(" ({:.1} s)", s.seconds));
            }
            md.push_str("\n\n```\n");
            for l in &s.lines {
                md.push_str(l);
                md.push('\n');
            }
            md.push_str("```\n");
            if !first {
                json.push(',');
            }
            first = false;
            json.push_str(&format!(
                "\n    {{\"title\": {}, \"command\": {}, \"seconds\": {:.1}, \"output\": [{}]}}",
                quote(&s.title),
                quote(&s.command),
                s.seconds,
                s.lines
                    .iter()
                    .map(|l| quote(l))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        json.push_str("\n  ]\n}\n");
        std::fs::write(root().join("BENCHMARKS.md"), md)
            .map_err(|e| format!("BENCHMARKS.md: {e}"))?;
        std::fs::write(root().join("BENCHMARKS.json"), json)
            .map_err(|e| format!("BENCHMARKS.json: {e}"))?;
        println!("wrote BENCHMARKS.md and BENCHMARKS.json");
        Ok(())
    }
}

/// A JSON string literal.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn first_line(program: &str, args: &[&str]) -> String {
    cmd::probe(program, args)
        .and_then(|s| s.lines().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

/// What the figures were measured on.
fn machine() -> Vec<(String, String)> {
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown".into(), |(_, v)| v.trim().to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem_kb: u64 = read("/proc/meminfo")
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let os = read("/etc/os-release")
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map_or("unknown".into(), |v| v.trim_matches('"').to_owned());
    vec![
        (
            "date (UTC)".into(),
            first_line("date", &["-u", "+%Y-%m-%d %H:%M"]),
        ),
        ("cpu".into(), format!("{cpu} ({cores} cores available)")),
        (
            "memory".into(),
            format!("{:.1} GiB", mem_kb as f64 / 1024.0 / 1024.0),
        ),
        ("os".into(), os),
        ("rustc".into(), first_line("rustc", &["--version"])),
        ("node".into(), first_line("node", &["--version"])),
        ("wrangler".into(), first_line("wrangler", &["--version"])),
        ("chromium".into(), first_line("chromium", &["--version"])),
    ]
}
