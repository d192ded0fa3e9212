//! Furigana normalisation: hiragana, half-width katakana, full-width katakana and voiced marks written separately
//! all become 全角カタカナ with single full-width spaces; plus the search key that finds a name in any kana form.

/// The ideographic (full-width) space used between family and given names.
pub const SPACE: char = '\u{3000}';

/// Normalises furigana for storage: hiragana → katakana, half-width katakana → full-width, a separate voiced or
/// semi-voiced mark (゛゜, ﾞﾟ, combining U+3099/U+309A) joined to the kana before it, hyphen-like marks after a kana
/// → ー, runs of spaces of any width → one 「　」, trimmed. Other characters are kept (validation reports them).
pub fn normalize_furigana(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    for c in input.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if let Some(mark) = voicing_mark(c) {
            if let Some(joined) = out.chars().next_back().and_then(|prev| voice(prev, mark)) {
                out.pop();
                out.push(joined);
                continue;
            }
        }
        if pending_space {
            out.push(SPACE);
            pending_space = false;
        }
        let c = to_full_width_katakana(c);
        let c = if is_long_vowel_like(c) && out.chars().next_back().is_some_and(is_katakana) {
            'ー'
        } else {
            c
        };
        out.push(c);
    }
    out
}

/// A key for searching by furigana: the normalised form without spaces, small kana as large ones (Japan Post and
/// many registers do not distinguish ッ/ツ or ャ/ヤ), and ヴ as ブ, so 「さとう　ゆうき」, 「ｻﾄｳﾕｳｷ」 and 「サトウ ユウキ」 meet.
pub fn search_key(input: &str) -> String {
    normalize_furigana(input)
        .chars()
        .filter(|c| *c != SPACE)
        .map(|c| match c {
            'ァ' | 'ィ' | 'ゥ' | 'ェ' | 'ォ' | 'ッ' | 'ャ' | 'ュ' | 'ョ' | 'ヮ' => {
                char::from_u32(c as u32 + 1).unwrap_or(c)
            }
            'ヵ' => 'カ',
            'ヶ' => 'ケ',
            'ヴ' => 'ブ',
            _ => c,
        })
        .collect()
}

/// Whether `c` is full-width katakana (including ー and ヽヾ).
pub fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー' | 'ヽ' | 'ヾ')
}

/// Whether normalised furigana consists of katakana and single spaces only.
pub fn is_katakana_text(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| is_katakana(c) || c == SPACE)
}

#[derive(Clone, Copy)]
enum Mark {
    Voiced,
    SemiVoiced,
}

fn voicing_mark(c: char) -> Option<Mark> {
    match c {
        '\u{3099}' | '\u{309B}' | '\u{FF9E}' => Some(Mark::Voiced),
        '\u{309A}' | '\u{309C}' | '\u{FF9F}' => Some(Mark::SemiVoiced),
        _ => None,
    }
}

/// The voiced form of a full-width katakana, if it has one.
fn voice(c: char, mark: Mark) -> Option<char> {
    let code = c as u32;
    let voiced = match mark {
        Mark::Voiced => match c {
            // カ..ト: voiced form is the next code point (except ッ, which has none).
            'カ' | 'キ' | 'ク' | 'ケ' | 'コ' | 'サ' | 'シ' | 'ス' | 'セ' | 'ソ' | 'タ' | 'チ'
            | 'ツ' | 'テ' | 'ト' => code + 1,
            'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' => code + 1,
            'ウ' => 'ヴ' as u32,
            'ワ' => 'ヷ' as u32,
            'ヰ' => 'ヸ' as u32,
            'ヱ' => 'ヹ' as u32,
            'ヲ' => 'ヺ' as u32,
            'ヽ' => 'ヾ' as u32,
            _ => return None,
        },
        Mark::SemiVoiced => match c {
            'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' => code + 2,
            _ => return None,
        },
    };
    char::from_u32(voiced)
}

fn is_long_vowel_like(c: char) -> bool {
    matches!(c, '-' | '－' | '‐' | '−' | '―' | '─' | '〜' | '～')
}

/// One character to full-width katakana where it is hiragana or half-width katakana; others unchanged.
fn to_full_width_katakana(c: char) -> char {
    match c {
        // ぁ..ゖ and ゝゞ → ァ..ヶ and ヽヾ
        '\u{3041}'..='\u{3096}' | '\u{309D}' | '\u{309E}' => {
            char::from_u32(c as u32 + 0x60).unwrap_or(c)
        }
        '\u{FF66}'..='\u{FF9D}' => HALF_WIDTH
            .get((c as u32 - 0xFF66) as usize)
            .copied()
            .unwrap_or(c),
        _ => c,
    }
}

/// U+FF66 (ｦ) .. U+FF9D (ﾝ) in order.
const HALF_WIDTH: [char; 56] = [
    'ヲ', 'ァ', 'ィ', 'ゥ', 'ェ', 'ォ', 'ャ', 'ュ', 'ョ', 'ッ', 'ー', 'ア', 'イ', 'ウ', 'エ', 'オ',
    'カ', 'キ', 'ク', 'ケ', 'コ', 'サ', 'シ', 'ス', 'セ', 'ソ', 'タ', 'チ', 'ツ', 'テ', 'ト', 'ナ',
    'ニ', 'ヌ', 'ネ', 'ノ', 'ハ', 'ヒ', 'フ', 'ヘ', 'ホ', 'マ', 'ミ', 'ム', 'メ', 'モ', 'ヤ', 'ユ',
    'ヨ', 'ラ', 'リ', 'ル', 'レ', 'ロ', 'ワ', 'ン',
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_every_kana_form_to_full_width_katakana() {
        let cases = [
            ("やまだ　たろう", "ヤマダ　タロウ"),
            ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ　タロウ"),
            ("ヤマダ  タロウ", "ヤマダ　タロウ"),
            ("  ヤマダ\tタロウ  ", "ヤマダ　タロウ"),
            ("ヤマタ\u{3099}", "ヤマダ"),
            ("ヤマタ゛", "ヤマダ"),
            ("ﾊﾟﾊﾟ", "パパ"),
            ("ぱぴぷぺぽ", "パピプペポ"),
            ("う゛ぃ", "ヴィ"),
            ("ゔぁいおりん", "ヴァイオリン"),
            ("ﾜﾞ", "ヷ"),
            ("ｺｰﾋｰ", "コーヒー"),
            ("こ-ひ-", "コーヒー"),
            ("きょうこ", "キョウコ"),
            ("ｷｮｳｺ", "キョウコ"),
            ("ジョン スミス", "ジョン　スミス"),
            ("", ""),
            ("゛", "゛"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize_furigana(input), expected, "{input}");
        }
    }

    #[test]
    fn search_key_ignores_spaces_and_small_kana() {
        assert_eq!(search_key("きょうこ"), search_key("ｷﾖｳｺ"));
        assert_eq!(search_key("サトウ　ユウキ"), "サトウユウキ");
        assert_eq!(search_key("ヴィ"), "ブイ");
    }

    #[test]
    fn katakana_text_check() {
        assert!(is_katakana_text("ヤマダ　タロウ"));
        assert!(!is_katakana_text("山田"));
        assert!(!is_katakana_text(""));
    }
}
