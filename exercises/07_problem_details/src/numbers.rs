// Starting code generated from solutions/07_problem_details/src/numbers.rs by `cargo run -- dev sync`.
//! JSON integers that say "too large" when they are.
//!
//! serde_json reads an integer too long for 64 bits, such as
//! `99999999999999999999999`, as a float (about 1e23), and serde's own `i64`
//! then answers "invalid type: floating point `1e+23`, expected i64", as if
//! the client had sent a fraction. A field marked
//! `#[serde(deserialize_with = "numbers::i64")]` (or `numbers::u64`) is read
//! the same way except there: a whole number out of range says so, and gives
//! the range, in the 422's message:
//! "price_cents: the number is too large: this field takes whole numbers from
//! -9223372036854775808 to 9223372036854775807".

use std::fmt;
use std::marker::PhantomData;

use serde::Deserializer;
use serde::de::{Error, Unexpected, Visitor};

/// A JSON integer that fits in an `i64`.
pub fn i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    deserializer.deserialize_i64(Whole(PhantomData))
}

/// A JSON integer that fits in a `u64`.
pub fn u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    deserializer.deserialize_u64(Whole(PhantomData))
}

/// The integer types a field can have, with their ranges.
trait Integer: TryFrom<i128> {
    const NAME: &'static str;
    const MIN: i128;
    const MAX: i128;
}

impl Integer for i64 {
    const NAME: &'static str = "i64";
    const MIN: i128 = i64::MIN as i128;
    const MAX: i128 = i64::MAX as i128;
}

impl Integer for u64 {
    const NAME: &'static str = "u64";
    const MIN: i128 = u64::MIN as i128;
    const MAX: i128 = u64::MAX as i128;
}

struct Whole<T>(PhantomData<T>);

impl<T: Integer> Whole<T> {
    /// `value` as a `T`, or the error that says which way it is out of range.
    fn fit<E: Error>(value: i128) -> Result<T, E> {
        let too = if value > T::MAX {
            "large"
        } else if value < T::MIN {
            "small"
        } else {
            return T::try_from(value).map_err(|_| E::custom("the number does not fit"));
        };
        Err(E::custom(format!(
            "the number is too {too}: this field takes whole numbers from {} to {}",
            T::MIN,
            T::MAX
        )))
    }
}

impl<T: Integer> Visitor<'_> for Whole<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str(T::NAME)
    }

    fn visit_i64<E: Error>(self, value: i64) -> Result<T, E> {
        Whole::fit(value.into())
    }

    fn visit_u64<E: Error>(self, value: u64) -> Result<T, E> {
        Whole::fit(value.into())
    }

    /// A whole float beyond 64 bits is an integer serde_json could not hold
    /// (`as` saturates, so 1e300 is "too large" too). A whole float within
    /// the range, such as `1e3` or `100.0`, stays the wrong type, as a
    /// fraction does: the field takes JSON integers.
    fn visit_f64<E: Error>(self, value: f64) -> Result<T, E> {
        let whole = value.is_finite() && value.fract() == 0.0;
        let rounded = value as i128;
        if whole && !(T::MIN..=T::MAX).contains(&rounded) {
            return Whole::fit(rounded);
        }
        Err(E::invalid_type(Unexpected::Float(value), &self))
    }
}
