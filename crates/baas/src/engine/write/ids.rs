//! The ids `@default(uuid() | cuid() | nanoid() | ulid())` generates, in the shapes ZenStack's
//! generate: UUID v4 and v7, cuid (v1: `c`, time, counter, randomness in base 36), cuid2-shaped
//! (a letter, then 23 base-36 characters), nanoid (URL-safe, 21 characters unless given) and
//! ULID (48-bit time, 80 random bits, Crockford base 32). The time is the injected clock's.

use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, Utc};

use crate::schema::IdKind;

static CUID_COUNTER: AtomicU32 = AtomicU32::new(0);

const BASE36: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
const NANOID: &[u8; 64] = b"_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

pub(super) fn generate(kind: IdKind, now: DateTime<Utc>) -> String {
    match kind {
        IdKind::Uuid4 => uuid::Uuid::new_v4().to_string(),
        IdKind::Uuid7 => {
            let millis = u64::try_from(now.timestamp_millis()).unwrap_or_default();
            let ts = uuid::Timestamp::from_unix(
                uuid::NoContext,
                millis / 1000,
                u32::try_from(millis % 1000).unwrap_or_default() * 1_000_000,
            );
            uuid::Uuid::new_v7(ts).to_string()
        }
        IdKind::Cuid1 => cuid(now),
        IdKind::Cuid2 => {
            let bytes = random::<24>();
            let mut id = String::with_capacity(24);
            id.push(char::from(b'a' + bytes[0] % 26));
            id.extend(
                bytes[1..]
                    .iter()
                    .map(|b| char::from(BASE36[usize::from(*b) % 36])),
            );
            id
        }
        IdKind::Nanoid(len) => {
            let bytes = random::<255>();
            bytes[..usize::from(len)]
                .iter()
                .map(|b| char::from(NANOID[usize::from(*b & 63)]))
                .collect()
        }
        IdKind::Ulid => {
            let time = u128::try_from(now.timestamp_millis()).unwrap_or_default() & ((1 << 48) - 1);
            let rand = random::<10>()
                .iter()
                .fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
            let mut n = (time << 80) | rand;
            let mut out = [0u8; 26];
            for slot in out.iter_mut().rev() {
                *slot = CROCKFORD[(n & 31) as usize];
                n >>= 5;
            }
            String::from_utf8_lossy(&out).into_owned()
        }
    }
}

/// `N` random bytes from the operating system (a UUID v4's randomness if that fails).
fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    if getrandom::fill(&mut bytes).is_err() {
        for chunk in bytes.chunks_mut(16) {
            let fallback = uuid::Uuid::new_v4();
            chunk.copy_from_slice(&fallback.as_bytes()[..chunk.len()]);
        }
    }
    bytes
}

/// A collision-resistant id in the shape of a cuid: `c`, the time, a counter and randomness,
/// in base 36.
fn cuid(now: DateTime<Utc>) -> String {
    fn base36(mut n: u128, width: usize) -> String {
        let mut out = Vec::new();
        while n > 0 {
            out.push(BASE36[(n % 36) as usize]);
            n /= 36;
        }
        while out.len() < width {
            out.push(b'0');
        }
        out.reverse();
        String::from_utf8(out).unwrap_or_default()
    }
    let count = CUID_COUNTER.fetch_add(1, Ordering::Relaxed) % (36u32.pow(4));
    let random = uuid::Uuid::new_v4().as_u128();
    let time = u128::try_from(now.timestamp_millis()).unwrap_or_default();
    let mut id = format!(
        "c{}{}{}",
        base36(time, 8),
        base36(count.into(), 4),
        base36(random, 25)
    );
    id.truncate(25);
    id
}

/// A format string with the id in place of every `%s`, as ZenStack fills it: `\%s` stands for
/// a literal `%s` (written `"\\%s_%s"` in the schema, it gives `%s_<id>`).
pub(super) fn fill_format(format: &str, id: &str) -> String {
    let mut out = String::with_capacity(format.len() + id.len());
    let mut rest = format;
    while let Some(at) = rest.find("%s") {
        let (before, after) = rest.split_at(at);
        match before.strip_suffix('\\') {
            Some(kept) => {
                out.push_str(kept);
                out.push_str("%s");
            }
            None => {
                out.push_str(before);
                out.push_str(id);
            }
        }
        rest = &after[2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_strings_take_the_id_for_each_unescaped_placeholder() {
        assert_eq!(fill_format("user_%s", "X"), "user_X");
        assert_eq!(fill_format("%s%s", "X"), "XX");
        assert_eq!(fill_format("\\%s_%s_end", "X"), "%s_X_end");
        assert_eq!(fill_format("%s_\\%s_end", "X"), "X_%s_end");
        assert_eq!(fill_format("\\%s_\\%s_%s", "X"), "%s_%s_X");
        assert_eq!(fill_format("no placeholder", "X"), "no placeholder");
    }

    fn lower36(s: &str) -> bool {
        s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    }

    #[test]
    fn ids_have_their_shapes_and_differ() {
        let now = DateTime::from_timestamp(1_700_000_000, 123_000_000).unwrap();
        for kind in [
            IdKind::Uuid4,
            IdKind::Uuid7,
            IdKind::Cuid1,
            IdKind::Cuid2,
            IdKind::Nanoid(21),
            IdKind::Nanoid(8),
            IdKind::Ulid,
        ] {
            assert_ne!(generate(kind, now), generate(kind, now), "{kind:?}");
        }
        let v4 = uuid::Uuid::parse_str(&generate(IdKind::Uuid4, now)).unwrap();
        assert_eq!(v4.get_version_num(), 4);
        let v7 = uuid::Uuid::parse_str(&generate(IdKind::Uuid7, now)).unwrap();
        assert_eq!(v7.get_version_num(), 7);
        let (secs, nanos) = v7.get_timestamp().unwrap().to_unix();
        assert_eq!(
            (secs, nanos / 1_000_000),
            (1_700_000_000, 123),
            "v7 carries the clock's time"
        );
        let c1 = generate(IdKind::Cuid1, now);
        assert!(
            c1.len() == 25 && c1.starts_with('c') && lower36(&c1),
            "{c1}"
        );
        let c2 = generate(IdKind::Cuid2, now);
        assert!(
            c2.len() == 24 && c2.as_bytes()[0].is_ascii_lowercase() && lower36(&c2),
            "{c2}"
        );
        let n = generate(IdKind::Nanoid(8), now);
        assert!(
            n.len() == 8 && n.bytes().all(|b| NANOID.contains(&b)),
            "{n}"
        );
        assert_eq!(generate(IdKind::Nanoid(21), now).len(), 21);
        let u = generate(IdKind::Ulid, now);
        assert!(
            u.len() == 26 && u.bytes().all(|b| CROCKFORD.contains(&b)),
            "{u}"
        );
        // The first 10 characters are the time: ids of later instants sort after.
        let later = generate(IdKind::Ulid, now + chrono::Duration::milliseconds(1));
        assert!(later[..10] > u[..10], "{u} {later}");
    }
}
