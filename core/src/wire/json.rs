//! A reader for flat JSON objects (token responses) and a string writer (JSON request
//! bodies), both allocation-free.
//!
//! Why not `serde-json-core`: a token response must be read *tolerantly* — `expires_in` may
//! be a number or a numeric string, unknown members of any type are ignored, and every
//! capacity overflow must name the member that overflowed. `serde-json-core` cannot
//! deserialize a value whose type is only known once it is read (`deserialize_any` is
//! unsupported), and its serializer cannot say how large a buffer it would have needed,
//! which [`crate::BufferTooSmall`] promises. The grammar needed here (one object of
//! members, nested values validated completely and skipped, without recursion) is small
//! enough to check completely; the reader is tested against `serde_json` on generated and
//! mutated objects (it accepts exactly what `serde_json` accepts) and never panics.

use core::fmt;

use super::Writer;

/// Deepest nesting accepted inside a skipped member value.
pub const MAX_DEPTH: usize = 32;

/// What is wrong with a JSON body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonError {
    /// The body does not start with `{` (after whitespace): not a JSON object at all —
    /// typically an HTML error page.
    NotAnObject,
    /// The JSON is malformed at byte `offset`.
    Syntax {
        /// Byte offset of the problem.
        offset: usize,
    },
    /// A nested value is deeper than [`MAX_DEPTH`].
    TooDeep,
    /// A string holds an invalid escape or an unpaired surrogate.
    InvalidEscape,
    /// A string is not valid UTF-8 (RFC 8259 §8.1).
    NotUtf8,
    /// A decoded string is longer than the `max` bytes kept for it.
    TooLong {
        /// Capacity in bytes.
        max: usize,
    },
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnObject => f.write_str("not a JSON object"),
            Self::Syntax { offset } => write!(f, "malformed JSON at byte {offset}"),
            Self::TooDeep => write!(f, "JSON nested deeper than {MAX_DEPTH} levels"),
            Self::InvalidEscape => f.write_str("invalid escape in a JSON string"),
            Self::NotUtf8 => f.write_str("a JSON string is not valid UTF-8"),
            Self::TooLong { max } => write!(f, "a JSON string is longer than the {max} bytes kept"),
        }
    }
}

impl core::error::Error for JsonError {}

/// A JSON string as it appears between its quotes, escapes not yet decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawStr<'a>(&'a [u8]);

impl<'a> RawStr<'a> {
    /// The undecoded bytes between the quotes.
    #[must_use]
    pub const fn raw(&self) -> &'a [u8] {
        self.0
    }

    /// Decodes escapes into `out` and returns the text.
    ///
    /// # Errors
    ///
    /// [`JsonError::InvalidEscape`], [`JsonError::NotUtf8`], [`JsonError::TooLong`]
    /// (naming `out.len()`).
    pub fn decode_into<'out>(&self, out: &'out mut [u8]) -> Result<&'out str, JsonError> {
        let max = out.len();
        let mut len = 0usize;
        let mut push = |bytes: &[u8]| -> Result<(), JsonError> {
            out.get_mut(len..)
                .and_then(|rest| rest.get_mut(..bytes.len()))
                .ok_or(JsonError::TooLong { max })?
                .copy_from_slice(bytes);
            len = len.saturating_add(bytes.len());
            Ok(())
        };
        let mut rest = self.0;
        while let Some(backslash) = rest.iter().position(|&b| b == b'\\') {
            let (plain, escape) = rest.split_at(backslash);
            push(plain)?;
            let (decoded, consumed) = decode_escape(escape)?;
            let mut utf8 = [0u8; 4];
            push(decoded.encode_utf8(&mut utf8).as_bytes())?;
            rest = escape.get(consumed..).ok_or(JsonError::InvalidEscape)?;
        }
        push(rest)?;
        let written: &'out [u8] = out.get(..len).unwrap_or_default();
        core::str::from_utf8(written).map_err(|_| JsonError::NotUtf8)
    }

    /// The decoded characters one by one, without a buffer: a reader can check a value
    /// (its length, which characters it has) before anything is stored, and then decode
    /// it straight into its destination. An invalid escape or invalid UTF-8 is yielded as
    /// an error, after which the iterator ends.
    #[must_use]
    pub fn chars(&self) -> Chars<'a> {
        Chars {
            rest: core::str::from_utf8(self.0).map_err(|_| JsonError::NotUtf8),
        }
    }

    /// The text itself when it has no escapes (the common case, read in one step):
    /// `Ok(None)` when it has some.
    ///
    /// # Errors
    ///
    /// [`JsonError::NotUtf8`].
    pub fn unescaped(&self) -> Result<Option<&'a str>, JsonError> {
        if self.0.contains(&b'\\') {
            return Ok(None);
        }
        core::str::from_utf8(self.0)
            .map(Some)
            .map_err(|_| JsonError::NotUtf8)
    }

    /// Decodes into `out`, replacing what it held.
    ///
    /// # Errors
    ///
    /// [`JsonError::InvalidEscape`], [`JsonError::NotUtf8`], [`JsonError::TooLong`]
    /// (naming `N`); `out` is then left empty.
    pub fn decode_to<const N: usize>(
        &self,
        out: &mut heapless::String<N>,
    ) -> Result<(), JsonError> {
        out.clear();
        if let Some(text) = self.unescaped()? {
            return out
                .push_str(text)
                .map_err(|_| JsonError::TooLong { max: N });
        }
        for c in self.chars() {
            let pushed = c.and_then(|c| out.push(c).map_err(|_| JsonError::TooLong { max: N }));
            if let Err(error) = pushed {
                out.clear();
                return Err(error);
            }
        }
        Ok(())
    }

    /// Decodes as much as fits into `out` (replacing what it held), whole characters only,
    /// stopping at an invalid escape — for informational text, which is cut rather than
    /// refused.
    pub fn decode_lossy_into<const N: usize>(&self, out: &mut heapless::String<N>) {
        out.clear();
        for c in self.chars() {
            match c {
                Ok(c) if out.push(c).is_ok() => {}
                _ => break,
            }
        }
    }

    /// Whether the decoded string equals `text` (for member names; escapes in names are
    /// decoded too).
    #[must_use]
    pub fn is(&self, text: &str) -> bool {
        if !self.0.contains(&b'\\') {
            return self.0 == text.as_bytes();
        }
        let mut buf = [0u8; 64];
        self.decode_into(&mut buf)
            .is_ok_and(|decoded| decoded == text)
    }
}

/// The decoded characters of a [`RawStr`] (see [`RawStr::chars`]).
#[derive(Debug, Clone)]
pub struct Chars<'a> {
    /// What is left to decode, or the error to yield next.
    rest: Result<&'a str, JsonError>,
}

impl Iterator for Chars<'_> {
    type Item = Result<char, JsonError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = match self.rest {
            Ok(rest) => rest,
            Err(error) => {
                self.rest = Ok("");
                return Some(Err(error));
            }
        };
        let mut chars = rest.chars();
        let first = chars.next()?;
        if first != '\\' {
            self.rest = Ok(chars.as_str());
            return Some(Ok(first));
        }
        match decode_escape(rest.as_bytes()) {
            Ok((decoded, consumed)) => {
                // Escapes are ASCII, so `consumed` is a character boundary.
                self.rest = Ok(rest.get(consumed..).unwrap_or_default());
                Some(Ok(decoded))
            }
            Err(error) => {
                self.rest = Ok("");
                Some(Err(error))
            }
        }
    }
}

/// Decodes the escape at the start of `escape` (which begins with `\`): the character and
/// how many bytes it took.
fn decode_escape(escape: &[u8]) -> Result<(char, usize), JsonError> {
    let simple = match escape.get(1) {
        Some(b'"') => '"',
        Some(b'\\') => '\\',
        Some(b'/') => '/',
        Some(b'b') => '\u{8}',
        Some(b'f') => '\u{c}',
        Some(b'n') => '\n',
        Some(b'r') => '\r',
        Some(b't') => '\t',
        Some(b'u') => return decode_unicode_escape(escape),
        _ => return Err(JsonError::InvalidEscape),
    };
    Ok((simple, 2))
}

/// `\uXXXX`, or a surrogate pair `\uD83D\uDE00`.
fn decode_unicode_escape(escape: &[u8]) -> Result<(char, usize), JsonError> {
    let high = hex4(escape.get(2..6))?;
    if !(0xD800..0xDC00).contains(&high) {
        return char::from_u32(high)
            .map(|c| (c, 6))
            .ok_or(JsonError::InvalidEscape);
    }
    if escape.get(6..8) != Some(b"\\u") {
        return Err(JsonError::InvalidEscape);
    }
    let low = hex4(escape.get(8..12))?;
    if !(0xDC00..0xE000).contains(&low) {
        return Err(JsonError::InvalidEscape);
    }
    // Both halves were range-checked above, so this cannot overflow.
    let code = 0x10000u32
        .wrapping_add(high.wrapping_sub(0xD800) << 10)
        .wrapping_add(low.wrapping_sub(0xDC00));
    char::from_u32(code)
        .map(|c| (c, 12))
        .ok_or(JsonError::InvalidEscape)
}

fn hex4(digits: Option<&[u8]>) -> Result<u32, JsonError> {
    let digits = digits.ok_or(JsonError::InvalidEscape)?;
    let text = core::str::from_utf8(digits).map_err(|_| JsonError::InvalidEscape)?;
    if !digits.iter().all(u8::is_ascii_hexdigit) {
        return Err(JsonError::InvalidEscape);
    }
    u32::from_str_radix(text, 16).map_err(|_| JsonError::InvalidEscape)
}

/// A member value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// A string, escapes undecoded.
    String(RawStr<'a>),
    /// A number, as written (checked against the JSON number grammar).
    Number(&'a str),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A nested object or array, as written (checked completely per RFC 8259); read an
    /// array of strings with [`StringArray`].
    Composite(&'a [u8]),
}

/// Reads the members of one JSON object, in order.
#[derive(Debug, Clone)]
pub struct ObjectReader<'a> {
    bytes: &'a [u8],
    pos: usize,
    stage: Stage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Start,
    AfterMember,
    Done,
}

impl<'a> ObjectReader<'a> {
    /// A reader over `body`, which must be a single JSON object (whitespace around it
    /// allowed).
    #[must_use]
    pub const fn new(body: &'a [u8]) -> Self {
        Self {
            bytes: body,
            pos: 0,
            stage: Stage::Start,
        }
    }

    /// The next `(name, value)` member, or `None` after the closing `}` (when nothing
    /// but whitespace follows it).
    ///
    /// # Errors
    ///
    /// [`JsonError`] describing the first problem; the reader then stays failed.
    pub fn next_member(&mut self) -> Result<Option<(RawStr<'a>, Value<'a>)>, JsonError> {
        let result = self.step();
        if result.is_err() {
            self.stage = Stage::Done;
        }
        result
    }

    fn step(&mut self) -> Result<Option<(RawStr<'a>, Value<'a>)>, JsonError> {
        match self.stage {
            Stage::Done => return Ok(None),
            Stage::Start => {
                self.skip_whitespace();
                if self.peek() != Some(b'{') {
                    return Err(JsonError::NotAnObject);
                }
                self.advance();
                self.skip_whitespace();
                if self.peek() == Some(b'}') {
                    self.advance();
                    return self.finish();
                }
            }
            Stage::AfterMember => {
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => self.advance(),
                    Some(b'}') => {
                        self.advance();
                        return self.finish();
                    }
                    _ => return Err(self.syntax()),
                }
            }
        }
        self.skip_whitespace();
        let name = self.string()?;
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            return Err(self.syntax());
        }
        self.advance();
        self.skip_whitespace();
        let value = self.value()?;
        self.stage = Stage::AfterMember;
        Ok(Some((name, value)))
    }

    fn finish(&mut self) -> Result<Option<(RawStr<'a>, Value<'a>)>, JsonError> {
        self.skip_whitespace();
        if self.pos < self.bytes.len() {
            return Err(self.syntax());
        }
        self.stage = Stage::Done;
        Ok(None)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn advance(&mut self) {
        self.pos = self.pos.saturating_add(1);
    }

    fn syntax(&self) -> JsonError {
        JsonError::Syntax { offset: self.pos }
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.advance();
        }
    }

    /// A string starting at the opening quote; leaves `pos` after the closing quote.
    fn string(&mut self) -> Result<RawStr<'a>, JsonError> {
        if self.peek() != Some(b'"') {
            return Err(self.syntax());
        }
        self.advance();
        let start = self.pos;
        loop {
            match self.peek() {
                None => return Err(self.syntax()),
                Some(b'"') => break,
                Some(b'\\') => {
                    self.advance();
                    if self.peek().is_none() {
                        return Err(self.syntax());
                    }
                    self.advance();
                }
                Some(byte) if byte < 0x20 => return Err(self.syntax()),
                Some(_) => self.advance(),
            }
        }
        let raw = self
            .bytes
            .get(start..self.pos)
            .ok_or_else(|| self.syntax())?;
        self.advance();
        // Check the escapes and the encoding now, so that a member that is later ignored
        // cannot hide a malformed body (RFC 8259 §8.1: JSON text is UTF-8).
        validate_escapes(raw)?;
        core::str::from_utf8(raw).map_err(|_| JsonError::NotUtf8)?;
        Ok(RawStr(raw))
    }

    fn value(&mut self) -> Result<Value<'a>, JsonError> {
        match self.peek() {
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Number),
            Some(b't') => self.literal(b"true", Value::Bool(true)),
            Some(b'f') => self.literal(b"false", Value::Bool(false)),
            Some(b'n') => self.literal(b"null", Value::Null),
            Some(b'{' | b'[') => {
                let start = self.pos;
                self.composite()?;
                let raw = self
                    .bytes
                    .get(start..self.pos)
                    .ok_or_else(|| self.syntax())?;
                Ok(Value::Composite(raw))
            }
            _ => Err(self.syntax()),
        }
    }

    fn literal(&mut self, word: &[u8], value: Value<'a>) -> Result<Value<'a>, JsonError> {
        let end = self.pos.saturating_add(word.len());
        if self.bytes.get(self.pos..end) != Some(word) {
            return Err(self.syntax());
        }
        self.pos = end;
        Ok(value)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Result<&'a str, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.advance();
        }
        match self.peek() {
            Some(b'0') => self.advance(),
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.syntax()),
        }
        if self.peek() == Some(b'.') {
            self.advance();
            self.required_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.advance();
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.advance();
            }
            self.required_digits()?;
        }
        let text = self
            .bytes
            .get(start..self.pos)
            .ok_or_else(|| self.syntax())?;
        core::str::from_utf8(text).map_err(|_| self.syntax())
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.advance();
        }
    }

    fn required_digits(&mut self) -> Result<(), JsonError> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.syntax());
        }
        self.digits();
        Ok(())
    }

    /// Reads a nested object or array completely per RFC 8259 — bracket kinds, member
    /// names and colons, commas, literals, numbers, strings with their escapes — without
    /// recursion, at most [`MAX_DEPTH`] levels deep.
    fn composite(&mut self) -> Result<(), JsonError> {
        // Bit `d` set: the container at depth `d` is an object.
        let mut objects: u64 = 0;
        let mut depth = 0usize;
        loop {
            // A value is due: open a container or read a scalar.
            self.skip_whitespace();
            match self.peek() {
                Some(open @ (b'{' | b'[')) => {
                    if depth >= MAX_DEPTH {
                        return Err(JsonError::TooDeep);
                    }
                    let is_object = open == b'{';
                    let bit = 1u64
                        .checked_shl(u32::try_from(depth).unwrap_or(63))
                        .unwrap_or(0);
                    objects = if is_object {
                        objects | bit
                    } else {
                        objects & !bit
                    };
                    depth = depth.saturating_add(1);
                    self.advance();
                    self.skip_whitespace();
                    let close = if is_object { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.advance();
                        depth = depth.saturating_sub(1);
                    } else {
                        if is_object {
                            self.member_name()?;
                        }
                        continue;
                    }
                }
                Some(_) => self.scalar()?,
                None => return Err(self.syntax()),
            }
            // After a value: a comma (then the next value) or the container's own close.
            loop {
                if depth == 0 {
                    return Ok(());
                }
                self.skip_whitespace();
                let bit = 1u64
                    .checked_shl(u32::try_from(depth.saturating_sub(1)).unwrap_or(63))
                    .unwrap_or(0);
                let in_object = objects & bit != 0;
                match self.peek() {
                    Some(b',') => {
                        self.advance();
                        if in_object {
                            self.skip_whitespace();
                            self.member_name()?;
                        }
                        break;
                    }
                    Some(b'}') if in_object => {
                        self.advance();
                        depth = depth.saturating_sub(1);
                    }
                    Some(b']') if !in_object => {
                        self.advance();
                        depth = depth.saturating_sub(1);
                    }
                    _ => return Err(self.syntax()),
                }
            }
        }
    }

    /// A member name and its colon, inside a nested object.
    fn member_name(&mut self) -> Result<(), JsonError> {
        self.string()?;
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            return Err(self.syntax());
        }
        self.advance();
        Ok(())
    }

    /// A string, number or literal inside a nested value.
    fn scalar(&mut self) -> Result<(), JsonError> {
        match self.peek() {
            Some(b'"') => self.string().map(|_| ()),
            Some(b'-' | b'0'..=b'9') => self.number().map(|_| ()),
            Some(b't') => self.literal(b"true", Value::Null).map(|_| ()),
            Some(b'f') => self.literal(b"false", Value::Null).map(|_| ()),
            Some(b'n') => self.literal(b"null", Value::Null).map(|_| ()),
            _ => Err(self.syntax()),
        }
    }
}

/// The elements of a JSON array (a [`Value::Composite`] the object reader checked), in
/// order: `Some` for a string, `None` for an element of any other type.
#[derive(Debug, Clone)]
pub struct StringArray<'a> {
    reader: ObjectReader<'a>,
    done: bool,
}

impl<'a> StringArray<'a> {
    /// The elements of `composite`, or `None` when it is not an array (an object).
    #[must_use]
    pub fn new(composite: &'a [u8]) -> Option<Self> {
        let mut reader = ObjectReader::new(composite);
        reader.skip_whitespace();
        if reader.peek() != Some(b'[') {
            return None;
        }
        reader.advance();
        Some(Self {
            reader,
            done: false,
        })
    }
}

impl<'a> Iterator for StringArray<'a> {
    type Item = Option<RawStr<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let reader = &mut self.reader;
        reader.skip_whitespace();
        if reader.peek() == Some(b',') {
            reader.advance();
            reader.skip_whitespace();
        }
        if matches!(reader.peek(), Some(b']') | None) {
            self.done = true;
            return None;
        }
        match reader.value() {
            Ok(Value::String(text)) => Some(Some(text)),
            Ok(_) => Some(None),
            // Unreachable for a checked composite; ends the iteration rather than loop.
            Err(_) => {
                self.done = true;
                Some(None)
            }
        }
    }
}

/// The elements of a JSON array (a [`Value::Composite`] the object reader checked), in
/// order, each as a [`Value`] (an object or array element is a [`Value::Composite`]).
#[derive(Debug, Clone)]
pub struct Elements<'a> {
    reader: ObjectReader<'a>,
    done: bool,
}

impl<'a> Elements<'a> {
    /// The elements of `composite`, or `None` when it is not an array (an object).
    #[must_use]
    pub fn new(composite: &'a [u8]) -> Option<Self> {
        let mut reader = ObjectReader::new(composite);
        reader.skip_whitespace();
        if reader.peek() != Some(b'[') {
            return None;
        }
        reader.advance();
        Some(Self {
            reader,
            done: false,
        })
    }
}

impl<'a> Iterator for Elements<'a> {
    type Item = Value<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let reader = &mut self.reader;
        reader.skip_whitespace();
        if reader.peek() == Some(b',') {
            reader.advance();
            reader.skip_whitespace();
        }
        if matches!(reader.peek(), Some(b']') | None) {
            self.done = true;
            return None;
        }
        if let Ok(value) = reader.value() {
            Some(value)
        } else {
            // Unreachable for a checked composite; ends the iteration rather than loop.
            self.done = true;
            None
        }
    }
}

fn validate_escapes(raw: &[u8]) -> Result<(), JsonError> {
    let mut rest = raw;
    while let Some(backslash) = rest.iter().position(|&b| b == b'\\') {
        let escape = rest.get(backslash..).unwrap_or_default();
        let (_, consumed) = decode_escape(escape)?;
        rest = escape.get(consumed..).ok_or(JsonError::InvalidEscape)?;
    }
    Ok(())
}

/// Writes `text` as a JSON string literal, quotes included.
pub fn write_string(out: &mut Writer<'_>, text: &str) {
    out.push("\"");
    // Tokens, codes and most names need no escape: one copy (a byte scan, not a char walk).
    if !text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push(text);
        out.push("\"");
        return;
    }
    let mut run_start = 0;
    for (index, character) in text.char_indices() {
        let escape = match character {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\u{0}'..='\u{1f}' => "",
            _ => continue,
        };
        out.push(text.get(run_start..index).unwrap_or_default());
        if escape.is_empty() {
            let mut hex = [0u8; 6];
            out.push(control_escape(character, &mut hex));
        } else {
            out.push(escape);
        }
        run_start = index.saturating_add(character.len_utf8());
    }
    out.push(text.get(run_start..).unwrap_or_default());
    out.push("\"");
}

/// `\u00XX` for a control character.
fn control_escape(character: char, buf: &mut [u8; 6]) -> &str {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let code = u32::from(character);
    *buf = [
        b'\\',
        b'u',
        b'0',
        b'0',
        HEX.get((code >> 4) as usize & 0xf).copied().unwrap_or(b'0'),
        HEX.get(code as usize & 0xf).copied().unwrap_or(b'0'),
    ];
    core::str::from_utf8(buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;

    fn members(body: &str) -> Result<Vec<(std::string::String, Value<'_>)>, JsonError> {
        let mut reader = ObjectReader::new(body.as_bytes());
        let mut out = Vec::new();
        while let Some((name, value)) = reader.next_member()? {
            let mut buf = [0u8; 64];
            out.push((name.decode_into(&mut buf)?.into(), value));
        }
        Ok(out)
    }

    #[test]
    fn reads_every_kind_of_member() {
        let body = r#" { "a" : "x\"y", "b":-12.5e+3, "c":true, "d":false, "e":null,
                        "f":{"g":[1,"]}",{}]}, "h":[] } "#;
        let read = members(body).unwrap();
        let names: Vec<_> = read.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a", "b", "c", "d", "e", "f", "h"]);
        assert_eq!(read[1].1, Value::Number("-12.5e+3"));
        assert_eq!(read[2].1, Value::Bool(true));
        assert_eq!(read[4].1, Value::Null);
        assert!(matches!(read[5].1, Value::Composite(_)));
        let Value::String(a) = read[0].1 else {
            panic!()
        };
        let mut buf = [0u8; 8];
        assert_eq!(a.decode_into(&mut buf), Ok("x\"y"));
    }

    #[test]
    fn empty_object() {
        assert!(members("{}").unwrap().is_empty());
    }

    #[test]
    fn decodes_every_escape() {
        let body = r#"{"s":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}"#;
        let mut reader = ObjectReader::new(body.as_bytes());
        let (_, Value::String(s)) = reader.next_member().unwrap().unwrap() else {
            panic!()
        };
        let mut buf = [0u8; 32];
        assert_eq!(s.decode_into(&mut buf), Ok("\"\\/\u{8}\u{c}\n\r\té😀"));
    }

    #[test]
    fn rejects_malformed_bodies() {
        assert_eq!(members("<html>").unwrap_err(), JsonError::NotAnObject);
        assert_eq!(members("").unwrap_err(), JsonError::NotAnObject);
        assert_eq!(members("[1]").unwrap_err(), JsonError::NotAnObject);
        for bad in [
            "{",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{\"a\":1 \"b\":2}",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":-}",
            "{\"a\":tru}",
            "{\"a\":\"x}",
            "{\"a\":1} x",
            "{\"a\":\"\u{1}\"}",
            "{\"a\":[1,2}",
            "{a:1}",
            "{\"a\":1}}",
        ] {
            assert!(members(bad).is_err(), "{bad}");
        }
        assert_eq!(
            members(r#"{"a":"\x"}"#).unwrap_err(),
            JsonError::InvalidEscape
        );
        assert_eq!(
            members(r#"{"a":"\ud83d"}"#).unwrap_err(),
            JsonError::InvalidEscape
        );
        assert_eq!(
            members(r#"{"a":"\u12"}"#).unwrap_err(),
            JsonError::InvalidEscape
        );
    }

    #[test]
    fn limits_nesting() {
        let deep = std::format!("{{\"a\":{}{}}}", "[".repeat(33), "]".repeat(33));
        assert_eq!(members(&deep).unwrap_err(), JsonError::TooDeep);
        let fine = std::format!("{{\"a\":{}{}}}", "[".repeat(32), "]".repeat(32));
        assert!(members(&fine).is_ok());
    }

    #[test]
    fn decode_reports_capacity() {
        let mut reader = ObjectReader::new(br#"{"a":"abcdef"}"#);
        let (_, Value::String(s)) = reader.next_member().unwrap().unwrap() else {
            panic!()
        };
        let mut small = [0u8; 5];
        assert_eq!(
            s.decode_into(&mut small),
            Err(JsonError::TooLong { max: 5 })
        );
    }

    #[test]
    fn chars_decode_without_a_buffer() {
        let mut reader = ObjectReader::new(br#"{"a":"x\u00e9\n\ud83d\ude00y"}"#);
        let (_, Value::String(good)) = reader.next_member().unwrap().unwrap() else {
            panic!()
        };
        // The object reader refuses bad escapes already; a `RawStr` checks them again.
        let bad = RawStr(br"bad\q");
        let text: std::string::String = good.chars().map(Result::unwrap).collect();
        assert_eq!(text, "x\u{e9}\n\u{1f600}y");
        let mut buf = [0u8; 16];
        assert_eq!(good.decode_into(&mut buf), Ok(text.as_str()));
        let mut fits = heapless::String::<16>::new();
        assert_eq!(good.decode_to(&mut fits), Ok(()));
        assert_eq!(fits.as_str(), text);
        let mut small = heapless::String::<4>::new();
        assert_eq!(
            good.decode_to(&mut small),
            Err(JsonError::TooLong { max: 4 })
        );
        assert!(small.is_empty());
        // Cut at a character boundary: "x", "é" fit in 4 bytes, the newline too, the
        // emoji does not.
        let mut cut = heapless::String::<5>::new();
        good.decode_lossy_into(&mut cut);
        assert_eq!(cut.as_str(), "x\u{e9}\n");
        assert_eq!(bad.chars().last(), Some(Err(JsonError::InvalidEscape)));
        let mut cut = heapless::String::<16>::new();
        bad.decode_lossy_into(&mut cut);
        assert_eq!(cut.as_str(), "bad");
        let not_utf8 = RawStr(b"a\xffb");
        assert_eq!(
            not_utf8.chars().collect::<Vec<_>>(),
            [Err(JsonError::NotUtf8)]
        );
        not_utf8.decode_lossy_into(&mut cut);
        assert_eq!(cut.as_str(), "");
    }

    #[test]
    fn writes_escaped_strings() {
        let mut buf = [0u8; 64];
        let mut writer = Writer::new(&mut buf);
        write_string(&mut writer, "a\"b\\c\nd\u{1}é");
        assert_eq!(writer.finish().unwrap(), r#""a\"b\\c\nd\u0001é""#);
    }

    #[test]
    fn names_compare_decoded() {
        let mut reader = ObjectReader::new(br#"{"access\u005ftoken":1}"#);
        let (name, _) = reader.next_member().unwrap().unwrap();
        assert!(name.is("access_token"));
        assert!(!name.is("access"));
    }
}
