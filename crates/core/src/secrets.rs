//! Every secret the server hands out (session tokens, invitation codes,
//! calendar feed tokens) and every code people type (check-in codes) is
//! drawn here, from the operating system's random number generator.
//!
//! - Tokens are a recognisable prefix and 32 random bytes in URL-safe
//!   base64 ([`token`]): 256 bits, so they are stored as a plain SHA-256
//!   ([`hash`]); a slow hash would add nothing against guessing.
//! - Codes are letters drawn uniformly from an [`Alphabet`] ([`code`]).
//!   An alphabet whose size does not divide 256 cannot take a random byte
//!   modulo its size without favouring its first letters, so bytes past the
//!   last whole multiple of the size are discarded and drawn again.
//! - A secret held in memory until it is shown once is a [`SecretString`]:
//!   it is wiped when dropped and prints as `[REDACTED]` in logs and debug
//!   output, so only the code that returns it to its owner calls
//!   [`ExposeSecret::expose_secret`].

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
pub use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest as _, Sha256};

use crate::error::AppError;

/// Random bytes in a token: 256 bits, beyond guessing.
const TOKEN_BYTES: usize = 32;

/// The letters a code is made of.
#[derive(Debug, Clone, Copy)]
pub struct Alphabet {
    letters: &'static [u8],
    /// Bytes below this map to letters uniformly (each letter has the same
    /// number of them); bytes from here on are drawn again.
    accepted_below: u16,
}

impl Alphabet {
    /// An alphabet of 1 to 256 distinct ASCII letters. Checked when the
    /// constant is compiled, so a malformed alphabet does not build.
    pub const fn new(letters: &'static [u8]) -> Self {
        assert!(
            !letters.is_empty() && letters.len() <= 256,
            "an alphabet has 1 to 256 letters"
        );
        let mut i = 0;
        while i < letters.len() {
            assert!(letters[i].is_ascii_graphic(), "letters are printable ASCII");
            let mut j = i + 1;
            while j < letters.len() {
                assert!(letters[i] != letters[j], "letters are distinct");
                j += 1;
            }
            i += 1;
        }
        let size = letters.len() as u16;
        Self {
            letters,
            accepted_below: 256 - 256 % size,
        }
    }

    /// The letters.
    pub fn letters(&self) -> &'static [u8] {
        self.letters
    }

    /// Whether `text` consists of this alphabet's letters only.
    pub fn spells(&self, text: &str) -> bool {
        text.bytes().all(|byte| self.letters.contains(&byte))
    }

    /// The letter a random byte stands for, or `None` if the byte must be
    /// drawn again.
    fn letter(&self, byte: u8) -> Option<char> {
        (u16::from(byte) < self.accepted_below)
            .then(|| char::from(self.letters[usize::from(byte) % self.letters.len()]))
    }
}

/// A new token: `prefix` followed by 32 random bytes in URL-safe base64
/// without padding (43 characters).
pub fn token(prefix: &str) -> Result<SecretString, AppError> {
    let bytes: [u8; TOKEN_BYTES] = random_bytes()?;
    Ok(SecretString::from(format!(
        "{prefix}{}",
        URL_SAFE_NO_PAD.encode(bytes)
    )))
}

/// A new code of `length` letters, each drawn uniformly from `alphabet`.
pub fn code(alphabet: &Alphabet, length: usize) -> Result<String, AppError> {
    let mut code = String::with_capacity(length);
    while code.len() < length {
        // One draw is enough for the codes in use: they are at most 12
        // letters, and their alphabets reject at most 8 of 256 bytes.
        let bytes: [u8; 32] = random_bytes()?;
        code.extend(
            bytes
                .into_iter()
                .filter_map(|byte| alphabet.letter(byte))
                .take(length - code.len()),
        );
    }
    Ok(code)
}

/// A random UUID (version 4) from the operating system's generator: an
/// id that, unlike the v7 ids used elsewhere, says nothing about when it
/// was drawn.
pub fn random_uuid() -> Result<uuid::Uuid, AppError> {
    Ok(uuid::Builder::from_random_bytes(random_bytes()?).into_uuid())
}

/// What the database keeps of a secret (or of anything it must only
/// recognise, such as an address whose sign-in attempts are counted):
/// its SHA-256.
pub fn hash(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}

fn random_bytes<const N: usize>() -> Result<[u8; N], AppError> {
    let mut bytes = [0_u8; N];
    getrandom::fill(&mut bytes).map_err(|error| AppError::internal(error.to_string()))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const READABLE: Alphabet = Alphabet::new(b"ABCDEFGHJKMNPQRSTUVWXYZ23456789");

    /// How many of the 256 byte values stand for each letter.
    fn preimages(alphabet: &Alphabet) -> HashMap<char, usize> {
        let mut counts = HashMap::new();
        for byte in 0..=u8::MAX {
            if let Some(letter) = alphabet.letter(byte) {
                *counts.entry(letter).or_default() += 1;
            }
        }
        counts
    }

    #[test]
    fn every_letter_stands_for_as_many_bytes_as_any_other() {
        for letters in [
            &b"ABCDEFGHJKMNPQRSTUVWXYZ23456789"[..],
            b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789",
            b"ABC",
            b"0123456789",
            b"X",
        ] {
            let alphabet = Alphabet::new(letters);
            let counts = preimages(&alphabet);
            assert_eq!(counts.len(), letters.len(), "every letter is reachable");
            let per_letter = 256 / letters.len();
            assert!(
                counts.values().all(|count| *count == per_letter),
                "{:?}: {counts:?}",
                std::str::from_utf8(letters)
            );
        }
    }

    #[test]
    fn only_the_incomplete_last_round_of_bytes_is_drawn_again() {
        // 256 = 8 × 31 + 8: the 8 bytes from 248 on would favour A to J.
        assert_eq!(READABLE.accepted_below, 248);
        assert!(READABLE.letter(247).is_some());
        assert!((248..=u8::MAX).all(|byte| READABLE.letter(byte).is_none()));
        // 32 divides 256: no byte is wasted.
        let check_in = Alphabet::new(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789");
        assert!((0..=u8::MAX).all(|byte| check_in.letter(byte).is_some()));
    }

    #[test]
    fn codes_have_the_length_asked_and_only_letters_of_the_alphabet() {
        for length in [0, 1, 8, 12, 100] {
            let code = code(&READABLE, length).unwrap();
            assert_eq!(code.len(), length);
            assert!(READABLE.spells(&code), "{code}");
        }
        assert!(!READABLE.spells("ABC0"));
    }

    #[test]
    fn draws_reach_every_letter() {
        // 31 letters over 3,100 draws: the chance that one letter never
        // appears is 31 × (30/31)^3100, about 10^-43.
        let drawn = code(&READABLE, 3100).unwrap();
        for letter in READABLE.letters() {
            assert!(drawn.contains(char::from(*letter)), "{}", *letter as char);
        }
    }

    #[test]
    fn tokens_are_the_prefix_and_43_characters_of_base64url() {
        let first = token("alm_").unwrap();
        let first = first.expose_secret();
        let body = first.strip_prefix("alm_").unwrap();
        assert_eq!(body.len(), 43);
        assert_eq!(URL_SAFE_NO_PAD.decode(body).unwrap().len(), TOKEN_BYTES);
        assert_ne!(first, token("alm_").unwrap().expose_secret());
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let token = token("calf_").unwrap();
        assert!(!format!("{token:?}").contains("calf_"));
    }

    #[test]
    fn hashes_are_sha256() {
        assert_eq!(
            hash("abc")
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect::<String>(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hash("").len(), 32);
    }
}
