//! Inserting a missing attribute into a Terraform block, with the block's own indentation and
//! line ending. Only a block laid out one attribute per line, closing brace on a line of its
//! own, is edited: anything else is reported, not guessed.

use crate::source::Span;

/// Where to insert `name = value` into the HCL block at `block` (from its identifier to its
/// closing brace), and the line to insert; or why that cannot be done safely.
pub fn hcl_attribute(block: &Span, name: &str, value: &str) -> Result<(usize, String), String> {
    let text = &block.file.text;
    let body = block.text();
    let one_line = || "the block is written on one line".to_string();
    if !body.ends_with('}') {
        return Err("the block's closing brace was not found".into());
    }
    let close = block.end - 1;
    let open = block.start
        + body
            .find('{')
            .ok_or_else(|| "the block's opening brace was not found".to_string())?;
    // The opening brace ends its line.
    let after_open = text.get(open + 1..close).unwrap_or("");
    let open_line_end = after_open.find('\n').ok_or_else(one_line)?;
    let rest_of_open_line = &after_open[..open_line_end];
    if !rest_of_open_line.trim().is_empty() {
        return Err(one_line());
    }
    let eol = if rest_of_open_line.ends_with('\r') {
        "\r\n"
    } else {
        "\n"
    };
    // The closing brace starts its line (after indentation).
    let close_line = text[..close].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let close_indent = &text[close_line..close];
    if !close_indent.chars().all(|c| c == ' ' || c == '\t') {
        return Err("the block's closing brace shares a line with an attribute".into());
    }
    // The indentation of the first attribute, or the closing brace's plus two spaces.
    let inside = text.get(open + 1 + open_line_end + 1..close_line).unwrap_or("");
    let indent = inside
        .lines()
        .find(|l| !l.trim().is_empty())
        .map(|l| l[..l.len() - l.trim_start().len()].to_string())
        .unwrap_or_else(|| format!("{close_indent}  "));
    Ok((close_line, format!("{indent}{name} = {value}{eol}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn block(text: &str) -> Span {
        let f = SourceFile::new("t.tf", text);
        let start = text.find("pc").unwrap();
        let end = text.rfind('}').unwrap() + 1;
        f.span(start..end)
    }

    #[test]
    fn inserts_before_the_closing_brace_with_the_attributes_indentation() {
        let text = "  pc {\r\n\t  configuration_type = \"CUSTOM\"\r\n  }\r\n";
        let b = block(text);
        let (at, line) = hcl_attribute(&b, "parallelism", "10").unwrap();
        assert_eq!(&text[at..], "  }\r\n");
        assert_eq!(line, "\t  parallelism = 10\r\n");
        // An empty block: two spaces deeper than the brace.
        let text = "    pc {\n    }\n";
        assert_eq!(hcl_attribute(&block(text), "a", "1").unwrap().1, "      a = 1\n");
    }

    #[test]
    fn one_line_blocks_are_refused() {
        for text in [
            "pc { configuration_type = \"DEFAULT\" }",
            "pc {\n  a = 1 }",
            "pc { # c\n}",
        ] {
            assert!(hcl_attribute(&block(text), "parallelism", "10").is_err(), "{text}");
        }
    }
}
