//! `webauthn-verify`: reads one ceremony JSON on stdin, prints one JSON verdict line; exit 0 pass, 1 fail,
//! 2 unreadable input. See `shared::webauthn::command` for the contract.

use std::io::{Read, Write};

use shared::webauthn::command::{self, Verdict, EXIT_UNREADABLE, MAX_INPUT_BYTES};

fn main() {
    // Belt and braces: the verifier is written not to panic, but if it ever did, answer in the contract's shape.
    std::panic::set_hook(Box::new(|_| {}));
    let mut input = Vec::new();
    let limit = u64::try_from(MAX_INPUT_BYTES)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let verdict = match std::io::stdin().lock().take(limit).read_to_end(&mut input) {
        Ok(_) => std::panic::catch_unwind(|| command::run(&input)).unwrap_or_else(|_| Verdict {
            exit_code: command::EXIT_FAIL,
            line: r#"{"verdict":"fail","error":"internal_error","detail":"verifier panicked"}"#.to_owned(),
        }),
        Err(e) => Verdict {
            exit_code: EXIT_UNREADABLE,
            line: serde_json::json!({"verdict": "fail", "error": "unreadable_input", "detail": e.to_string()})
                .to_string(),
        },
    };
    let mut out = std::io::stdout().lock();
    // A closed stdout leaves nothing useful to do; the exit code still tells the verdict.
    let _ = writeln!(out, "{}", verdict.line);
    let _ = out.flush();
    std::process::exit(verdict.exit_code);
}
