//! No input makes the configuration reader panic, and every problem it reports is located inside
//! the file.

use proptest::prelude::*;
use sixconf::config;

const REFERENCE: &str = include_str!("../../examples/reference.toml");
const ISSUE: &str = include_str!("fixtures/config/issue7.toml");

fn check_located(text: &str) {
    if let Err(d) = config::parse(text) {
        assert!(!d.0.is_empty());
        let lines = text.split('\n').count();
        for e in &d.0 {
            assert!(
                e.line >= 1 && e.line <= lines.max(1),
                "{e:?} in {lines} lines"
            );
            assert!(e.column >= 1);
            assert!(e.span.start <= text.len(), "{e:?}");
            assert!(!e.message.is_empty());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        check_located(&text);
    }

    /// The reference file with one byte range replaced by arbitrary text: near-valid files reach
    /// the semantic checks.
    #[test]
    fn mutated_reference_never_panics(
        which in 0usize..2,
        at in 0usize..4000,
        len in 0usize..12,
        insert in "[-a-z0-9:/.=\\[\\]{}\", \\n]{0,12}",
    ) {
        let base = if which == 0 { REFERENCE } else { ISSUE };
        let mut start = at % base.len();
        while !base.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + len).min(base.len());
        while !base.is_char_boundary(end) {
            end -= 1;
        }
        let text = format!("{}{}{}", &base[..start], insert, &base[end..]);
        check_located(&text);
    }
}
