/// Splits fuzz input into `N` parts, each prefixed by a 2-byte big-endian length (the last takes the rest).
pub fn parts<const N: usize>(data: &[u8]) -> [&[u8]; N] {
    let mut out = [&data[0..0]; N];
    let mut rest = data;
    for (i, slot) in out.iter_mut().enumerate() {
        if i == N - 1 || rest.len() < 2 {
            *slot = rest;
            rest = &rest[rest.len()..];
            continue;
        }
        let n = usize::from(u16::from_be_bytes([rest[0], rest[1]])).min(rest.len() - 2);
        *slot = &rest[2..2 + n];
        rest = &rest[2 + n..];
    }
    out
}
