//! Inserting a missing attribute into a block, with the block's own indentation and line ending:
//! a Terraform block laid out one attribute per line with its closing brace on a line of its own,
//! a JSON object (`.tf.json`, CloudFormation JSON) whose last member ends without a comment, or a
//! YAML block mapping of plain `Key: value` lines. Anything else is reported, not guessed.

use crate::source::Span;

/// Where to insert `name = value` into the HCL block at `block` (from its identifier to its
/// closing brace), and the line to insert; or why that cannot be done safely.
pub fn hcl_attribute(block: &Span, name: &str, value: &str) -> Result<(usize, String), String> {
    // Offsets below are within the run of lines holding the block (the whole text, unless the
    // file was compacted), which starts at a line start.
    let window = block
        .file
        .window(block.range())
        .ok_or_else(|| "the block's text was not kept".to_string())?;
    let (base, text) = (window.start, window.text);
    let body = block.text();
    let one_line = || "the block is written on one line".to_string();
    if !body.ends_with('}') {
        return Err("the block's closing brace was not found".into());
    }
    let close = block.end - 1 - base;
    let open = block.start - base
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
    Ok((base + close_line, format!("{indent}{name} = {value}{eol}")))
}

/// Where to add `"name": value` to the JSON object that `block` ends with (a `.tf.json` block or
/// a CloudFormation JSON mapping), and the text to add after its last member.
pub fn json_member(block: &Span, name: &str, value: &str) -> Result<(usize, String), String> {
    if block.file.is_compacted() {
        return Err("the file's text was not kept".into());
    }
    let text = &block.file.text;
    let body = block.text().trim_end();
    if !body.ends_with('}') {
        return Err("the block is not a JSON object".into());
    }
    let close = block.start + body.len() - 1;
    let last_end = text[..close].trim_end().len();
    if text[..last_end].ends_with('{') {
        return Err("the block is empty".into());
    }
    let line_start = text[..last_end].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line = &text[line_start..last_end];
    // A comment after the last member would swallow what follows it.
    if line.contains("//") || line.contains("/*") || line.contains("*/") {
        return Err("a comment ends the block".into());
    }
    let between = &text[last_end..close];
    let member = format!("\"{name}\": {value}");
    if !between.contains('\n') {
        // `{ "a": 1 }`: one more member on the same line.
        return Ok((last_end, format!(", {member}")));
    }
    let indent = &line[..line.len() - line.trim_start().len()];
    let close_line = text[..close].rfind('\n').map(|i| i + 1).unwrap_or(0);
    if indent.len() <= close - close_line || !indent.chars().all(|c| c == ' ' || c == '\t') {
        return Err("its members are not indented below its closing brace".into());
    }
    let eol = if between.starts_with("\r\n") { "\r\n" } else { "\n" };
    Ok((last_end, format!(",{eol}{indent}{member}")))
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

fn blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// Where to add `name: value` to the YAML block mapping that `block` (from its key) holds, and
/// the line to add after its last line. Flow mappings (`{ ... }`) and tagged values are refused.
pub fn yaml_key(block: &Span, name: &str, value: &str) -> Result<(usize, String), String> {
    if block.file.is_compacted() {
        return Err("the file's text was not kept".into());
    }
    let text = &block.file.text;
    let key_line_start = text[..block.start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let key_line_end = text[block.start..]
        .find('\n')
        .map(|i| block.start + i + 1)
        .ok_or_else(|| "the block is written on one line".to_string())?;
    let key_line = &text[key_line_start..key_line_end];
    let after_colon = key_line.split_once(':').map(|(_, r)| r).unwrap_or("");
    if !blank_or_comment(after_colon) {
        return Err("the block is not a YAML block mapping".into());
    }
    let parent_indent = indent_of(key_line);
    let mut key_indent = None;
    let mut insert_at = None;
    let mut eol = "\n";
    let mut pos = key_line_end;
    for line in text[key_line_end..].split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        if blank_or_comment(line) {
            continue;
        }
        let indent = indent_of(line);
        if indent <= parent_indent {
            break;
        }
        let keys_at = *key_indent.get_or_insert(indent);
        if indent < keys_at {
            return Err("the block's keys are not aligned".into());
        }
        if indent == keys_at && (line[indent..].starts_with(['-', '{', '[', '"', '\'']) || !line.contains(':')) {
            return Err("the block's keys are not plain `Key: value` lines".into());
        }
        if !line.ends_with('\n') {
            return Err("the block ends the file without a line break".into());
        }
        eol = if line.ends_with("\r\n") { "\r\n" } else { "\n" };
        insert_at = Some(pos);
        let _ = start;
    }
    let (Some(at), Some(indent)) = (insert_at, key_indent) else {
        return Err("the block is empty".into());
    };
    let prefix = &text[key_line_end..]
        .lines()
        .find(|l| !blank_or_comment(l))
        .map(|l| &l[..indent])
        .unwrap_or("");
    Ok((at, format!("{prefix}{name}: {value}{eol}")))
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
    fn json_members_follow_the_last_member() {
        let text = "{\r\n  \"pc\": {\r\n    \"a\": 1,\r\n    \"b\": { \"c\": 2 }\r\n  }\r\n}";
        let f = SourceFile::new("t.json", text);
        let start = text.find("\"pc\"").unwrap();
        let b = f.span(start..text.rfind("  }").unwrap() + 3);
        let (at, add) = json_member(&b, "d", "3").unwrap();
        assert_eq!(&text[..at], &text[..text.find("2 }").unwrap() + 3]);
        assert_eq!(add, ",\r\n    \"d\": 3");
        let f = SourceFile::new("t.json", "{ \"a\": 1 }");
        assert_eq!(json_member(&f.span(0..10), "d", "3").unwrap(), (8, ", \"d\": 3".into()));
        let f = SourceFile::new("t.json", "{\n  \"a\": 1 // one\n}");
        assert!(json_member(&f.span(0..f.text.len()), "d", "3").is_err());
    }

    #[test]
    fn yaml_keys_go_after_the_mappings_last_line() {
        let text = "R:\n  PC:   # c\n    A: 1\n    B:\n      - x\n\n    # trailing\n  Next: 2\n";
        let f = SourceFile::new("t.yaml", text);
        let start = text.find("PC").unwrap();
        let (at, line) = yaml_key(&f.span(start..start + 2), "D", "3").unwrap();
        assert_eq!(&text[at..], "\n    # trailing\n  Next: 2\n");
        assert_eq!(line, "    D: 3\n");
        for bad in [
            "R:\n  PC: { A: 1 }\n",
            "R:\n  PC: !If [c, {}, {}]\n",
            "R:\n  PC:\n    A: 1",
        ] {
            let f = SourceFile::new("t.yaml", bad);
            let start = bad.find("PC").unwrap();
            assert!(yaml_key(&f.span(start..start + 2), "D", "3").is_err(), "{bad}");
        }
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
