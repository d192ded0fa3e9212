//! Text people type that the product parses: dates (Western, 8 digits, 和暦), phone numbers, furigana and name keys,
//! スマホ入力ID, specimen codes, temperatures.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = shared::notification::dates::parse_typed(text);
    let _ = shared::case::phone_digits(text);
    let _ = shared::case::name_key(text);
    let key = shared::case::furigana_key(text);
    let _ = shared::case::prefix_end(&key);
    let _ = shared::case::smartphone_id_ok(text);
    let _ = shared::kana::normalize_furigana(text);
    let _ = shared::kana::search_key(text);
    if let Some(code) = shared::drive::normalize_code(text) {
        let _ = shared::drive::display_code(&code);
    }
    let _ = shared::observation::parse_temperature(text);
});
