//! A small, strict CBOR (RFC 8949) decoder for the subset WebAuthn uses, with exact byte offsets in errors.
//!
//! Why not a general CBOR crate: authenticator data embeds CBOR items back to back (the credential public key,
//! then extensions) with no length prefix, so the verifier must know exactly how many bytes an item used, and the
//! issue asks for "malformed CBOR at offset N". WebAuthn needs no tags, indefinite lengths or big numbers, so those
//! are rejected. Duplicate map keys are rejected. Depth and container sizes are bounded so hostile input cannot
//! exhaust the stack or memory.

use super::CeremonyError;

/// Deepest nesting accepted (attestation objects need 3–4 levels).
const MAX_DEPTH: usize = 16;
/// Most entries accepted in one array or map.
const MAX_ENTRIES: u64 = 1024;

/// A decoded CBOR item borrowing its byte and text strings from the input.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// Major type 0.
    Unsigned(u64),
    /// Major type 1: the value is `-1 - n`.
    Negative(u64),
    Bytes(&'a [u8]),
    Text(&'a str),
    Array(Vec<Value<'a>>),
    /// Entries in encoded order (keys are unique).
    Map(Vec<(Value<'a>, Value<'a>)>),
    Bool(bool),
    Null,
    Undefined,
    Float(f64),
}

impl<'a> Value<'a> {
    /// The integer value if it fits an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Unsigned(n) => i64::try_from(n).ok(),
            Value::Negative(n) => i64::try_from(n).ok().map(|n| -1 - n),
            _ => None,
        }
    }

    pub fn as_bytes(&self) -> Option<&'a [u8]> {
        match *self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_text(&self) -> Option<&'a str> {
        match *self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Value<'a>, Value<'a>)]> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value<'a>]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// Looks up a map entry by integer key.
    pub fn map_get_int(&self, key: i64) -> Option<&Value<'a>> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_i64() == Some(key))
            .map(|(_, v)| v)
    }

    /// Looks up a map entry by text key.
    pub fn map_get_text(&self, key: &str) -> Option<&Value<'a>> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_text() == Some(key))
            .map(|(_, v)| v)
    }

    /// Encodes in CTAP2 canonical form for integers and lengths (shortest encoding; maps in the given order).
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Value::Unsigned(n) => head(out, 0, *n),
            Value::Negative(n) => head(out, 1, *n),
            Value::Bytes(b) => {
                head(out, 2, b.len() as u64);
                out.extend_from_slice(b);
            }
            Value::Text(t) => {
                head(out, 3, t.len() as u64);
                out.extend_from_slice(t.as_bytes());
            }
            Value::Array(items) => {
                head(out, 4, items.len() as u64);
                items.iter().for_each(|v| v.encode(out));
            }
            Value::Map(entries) => {
                head(out, 5, entries.len() as u64);
                for (k, v) in entries {
                    k.encode(out);
                    v.encode(out);
                }
            }
            Value::Bool(false) => out.push(0xf4),
            Value::Bool(true) => out.push(0xf5),
            Value::Null => out.push(0xf6),
            Value::Undefined => out.push(0xf7),
            Value::Float(x) => {
                out.push(0xfb);
                out.extend_from_slice(&x.to_bits().to_be_bytes());
            }
        }
    }

    /// Convenience: the encoding as a new vector.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// An integer as a CBOR value (helper for building COSE keys and tests).
    pub fn int(n: i64) -> Value<'static> {
        if n >= 0 {
            Value::Unsigned(n.unsigned_abs())
        } else {
            Value::Negative(n.unsigned_abs() - 1)
        }
    }
}

fn head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    if n < 24 {
        out.push(m | n as u8);
    } else if let Ok(b) = u8::try_from(n) {
        out.extend_from_slice(&[m | 24, b]);
    } else if let Ok(s) = u16::try_from(n) {
        out.push(m | 25);
        out.extend_from_slice(&s.to_be_bytes());
    } else if let Ok(w) = u32::try_from(n) {
        out.push(m | 26);
        out.extend_from_slice(&w.to_be_bytes());
    } else {
        out.push(m | 27);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

/// Decodes exactly one item that must span all of `data`. Offsets in errors are `base + position in data`.
pub fn decode_exact(data: &[u8], base: usize) -> Result<Value<'_>, CeremonyError> {
    let (value, used) = decode_prefix(data, base)?;
    if used != data.len() {
        return Err(CeremonyError::TrailingBytes {
            offset: base.saturating_add(used),
        });
    }
    Ok(value)
}

/// Decodes one item at the start of `data`; returns it and the number of bytes it used.
pub fn decode_prefix(data: &[u8], base: usize) -> Result<(Value<'_>, usize), CeremonyError> {
    let mut d = Decoder { data, pos: 0, base };
    let v = d.item(0)?;
    Ok((v, d.pos))
}

struct Decoder<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Decoder<'a> {
    fn err(&self, at: usize, reason: &'static str) -> CeremonyError {
        CeremonyError::MalformedCbor {
            offset: self.base.saturating_add(at),
            reason,
        }
    }

    fn take(&mut self, n: usize, start: usize) -> Result<&'a [u8], CeremonyError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or_else(|| self.err(start, "length overflows"))?;
        let bytes = self
            .data
            .get(self.pos..end)
            .ok_or_else(|| self.err(start, "unexpected end of input"))?;
        self.pos = end;
        Ok(bytes)
    }

    fn argument(&mut self, info: u8, start: usize) -> Result<u64, CeremonyError> {
        let width = match info {
            0..=23 => return Ok(u64::from(info)),
            24 => 1,
            25 => 2,
            26 => 4,
            27 => 8,
            28..=30 => return Err(self.err(start, "reserved additional information value")),
            _ => return Err(self.err(start, "indefinite length is not allowed")),
        };
        let bytes = self.take(width, start)?;
        Ok(bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    fn length(&mut self, info: u8, start: usize) -> Result<usize, CeremonyError> {
        let n = self.argument(info, start)?;
        usize::try_from(n).map_err(|_| self.err(start, "length does not fit in memory"))
    }

    fn item(&mut self, depth: usize) -> Result<Value<'a>, CeremonyError> {
        let start = self.pos;
        if depth > MAX_DEPTH {
            return Err(self.err(start, "nesting too deep"));
        }
        let initial = *self
            .take(1, start)?
            .first()
            .ok_or_else(|| self.err(start, "unexpected end of input"))?;
        let major = initial >> 5;
        let info = initial & 0x1f;
        match major {
            0 => Ok(Value::Unsigned(self.argument(info, start)?)),
            1 => Ok(Value::Negative(self.argument(info, start)?)),
            2 => {
                let len = self.length(info, start)?;
                Ok(Value::Bytes(self.take(len, start)?))
            }
            3 => {
                let len = self.length(info, start)?;
                let bytes = self.take(len, start)?;
                std::str::from_utf8(bytes)
                    .map(Value::Text)
                    .map_err(|_| self.err(start, "text string is not UTF-8"))
            }
            4 => {
                let n = self.count(info, start)?;
                let mut items = Vec::with_capacity(n.min(self.remaining()));
                for _ in 0..n {
                    items.push(self.item(depth + 1)?);
                }
                Ok(Value::Array(items))
            }
            5 => {
                let n = self.count(info, start)?;
                let mut entries: Vec<(Value<'a>, Value<'a>)> =
                    Vec::with_capacity(n.min(self.remaining() / 2));
                for _ in 0..n {
                    let key_at = self.pos;
                    let key = self.item(depth + 1)?;
                    if !matches!(
                        key,
                        Value::Unsigned(_) | Value::Negative(_) | Value::Text(_) | Value::Bytes(_)
                    ) {
                        return Err(self.err(key_at, "map key is not an integer or string"));
                    }
                    if entries.iter().any(|(k, _)| *k == key) {
                        return Err(self.err(key_at, "duplicate map key"));
                    }
                    let value = self.item(depth + 1)?;
                    entries.push((key, value));
                }
                Ok(Value::Map(entries))
            }
            6 => Err(self.err(start, "tags are not allowed")),
            _ => match info {
                20 => Ok(Value::Bool(false)),
                21 => Ok(Value::Bool(true)),
                22 => Ok(Value::Null),
                23 => Ok(Value::Undefined),
                25 => {
                    let h = self.argument(info, start)?;
                    Ok(Value::Float(half_to_f64(h as u16)))
                }
                26 => {
                    let bits = self.argument(info, start)?;
                    Ok(Value::Float(f64::from(f32::from_bits(bits as u32))))
                }
                27 => Ok(Value::Float(f64::from_bits(self.argument(info, start)?))),
                31 => Err(self.err(start, "unexpected break")),
                _ => Err(self.err(start, "unsupported simple value")),
            },
        }
    }

    fn count(&mut self, info: u8, start: usize) -> Result<usize, CeremonyError> {
        let n = self.argument(info, start)?;
        if n > MAX_ENTRIES {
            return Err(self.err(start, "too many entries"));
        }
        usize::try_from(n).map_err(|_| self.err(start, "too many entries"))
    }

    fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }
}

/// IEEE 754 half precision to f64 (only so that well-formed input is not misreported as malformed).
fn half_to_f64(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let frac = f64::from(h & 0x3ff);
    let magnitude = match exp {
        0 => frac * 2f64.powi(-24),
        31 if frac == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        _ => (1.0 + frac / 1024.0) * 2f64.powi(exp - 15),
    };
    sign * magnitude
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_webauthn_subset() {
        let v = Value::Map(vec![
            (Value::Text("fmt"), Value::Text("none")),
            (Value::int(-7), Value::Bytes(&[1, 2, 3])),
            (
                Value::int(300),
                Value::Array(vec![Value::Bool(true), Value::Null, Value::int(-70000)]),
            ),
        ]);
        let bytes = v.to_vec();
        assert_eq!(decode_exact(&bytes, 0), Ok(v));
    }

    #[test]
    fn reports_the_offset_of_the_bad_item() {
        // map(2) { 1: 2, 3: <indefinite bytes> }
        let err = decode_exact(&[0xa2, 0x01, 0x02, 0x03, 0x5f], 10);
        assert_eq!(
            err,
            Err(CeremonyError::MalformedCbor {
                offset: 14,
                reason: "indefinite length is not allowed"
            })
        );
    }

    #[test]
    fn rejects_duplicate_keys_tags_and_truncation() {
        assert!(matches!(
            decode_exact(&[0xa2, 0x01, 0x02, 0x01, 0x03], 0),
            Err(CeremonyError::MalformedCbor { offset: 3, .. })
        ));
        assert!(matches!(
            decode_exact(&[0xc2, 0x40], 0),
            Err(CeremonyError::MalformedCbor { offset: 0, .. })
        ));
        assert!(matches!(
            decode_exact(&[0x5a, 0xff, 0xff, 0xff, 0xff], 0),
            Err(CeremonyError::MalformedCbor { .. })
        ));
        assert_eq!(
            decode_exact(&[0x01, 0x02], 0),
            Err(CeremonyError::TrailingBytes { offset: 1 })
        );
    }

    #[test]
    fn bounds_nesting_depth() {
        let deep = vec![0x81; 100];
        assert!(matches!(
            decode_exact(&deep, 0),
            Err(CeremonyError::MalformedCbor {
                reason: "nesting too deep",
                ..
            })
        ));
    }
}
