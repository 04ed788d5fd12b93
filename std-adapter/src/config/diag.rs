//! Configuration errors with the line and column of the offending key or value.

use std::fmt;
use std::ops::Range;

/// One problem in a configuration file, located at a key or value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Line of the offending key or value, from 1.
    pub line: usize,
    /// Column (in characters) of the offending key or value, from 1.
    pub column: usize,
    /// Byte range in the source; empty when the problem has no better place than the start.
    pub span: Range<usize>,
    /// What is wrong, worded so a person can fix it.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic at byte range `span` of `source`.
    pub fn at(source: &str, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        let (line, column) = line_col(source, span.start);
        Diagnostic {
            line,
            column,
            span,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    /// `LINE:COL: message`; `sixconf check` prefixes the file name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// 1-based line and column (in characters) of byte `offset` in `source` (clamped to its end and
/// to a character boundary).
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = source[line_start..offset].chars().count() + 1;
    (line, column)
}

/// Every problem found in a configuration file, in the order of the file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_from_one_in_characters() {
        let src = "a = 1\nbé = 2\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 4), (1, 5));
        assert_eq!(line_col(src, 6), (2, 1));
        // 'é' is two bytes: the '=' after "bé " is character 4.
        assert_eq!(line_col(src, src.find("= 2").unwrap()), (2, 4));
        assert_eq!(line_col(src, 999), (3, 1));
    }
}
