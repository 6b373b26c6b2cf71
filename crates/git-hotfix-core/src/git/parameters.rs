//! `git -c key=value hotfix …`: git hands its `-c` settings to subcommands in
//! `GIT_CONFIG_PARAMETERS`, which gix does not read. Parsed here as git parses it, they
//! reach gix as command-line overrides: git's own keys (`user.name`) and `hotfix.*` alike.

/// The variable git sets.
pub const VARIABLE: &str = "GIT_CONFIG_PARAMETERS";

/// The `key=value` settings of `text` (a bare `key` for a setting without a value), in
/// order: whitespace-separated single-quoted words, `'key'='value'` as git writes them
/// since 2.31, or `'key=value'` as before; `'\''` is a quote inside a word.
pub fn parse(text: &str) -> Result<Vec<String>, String> {
    let mut settings = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let (key, after) = quoted(rest)?;
        let (setting, after) = match after.strip_prefix('=') {
            Some(value) => {
                let (value, after) = quoted(value)?;
                (format!("{key}={value}"), after)
            }
            None => (key, after),
        };
        if !after.is_empty() && !after.starts_with(char::is_whitespace) {
            return Err(format!("unexpected `{after}` after `{setting}`"));
        }
        settings.push(setting);
        rest = after.trim_start();
    }
    Ok(settings)
}

/// One single-quoted word at the start of `text`, and what follows it.
fn quoted(text: &str) -> Result<(String, &str), String> {
    let mut rest = text
        .strip_prefix('\'')
        .ok_or_else(|| format!("`{text}` is not quoted"))?;
    let mut word = String::new();
    loop {
        let end = rest
            .find('\'')
            .ok_or_else(|| format!("`{text}` has no closing quote"))?;
        word.push_str(&rest[..end]);
        rest = &rest[end + 1..];
        // `'\''` and `'\!'`: a quote (or `!`) outside the word, and the word goes on.
        match rest.as_bytes() {
            [b'\\', c @ (b'\'' | b'!'), b'\'', ..] => {
                word.push(*c as char);
                rest = &rest[3..];
            }
            _ => return Ok((word, rest)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_git_writes() {
        assert_eq!(parse(""), Ok(vec![]));
        assert_eq!(
            parse("'user.name'='Bo Colleague' 'hotfix.developbranch'='trunk'"),
            Ok(vec![
                "user.name=Bo Colleague".to_string(),
                "hotfix.developbranch=trunk".to_string()
            ])
        );
        assert_eq!(
            parse("'core.bare=false'"),
            Ok(vec!["core.bare=false".into()])
        );
        assert_eq!(parse("'a.flag'"), Ok(vec!["a.flag".into()]));
        assert_eq!(
            parse(r"'user.name'='O'\''Brien'"),
            Ok(vec!["user.name=O'Brien".into()])
        );
        assert_eq!(parse("'a.b'='='"), Ok(vec!["a.b==".into()]));
    }

    #[test]
    fn refuses_what_git_refuses() {
        assert!(parse("user.name=x").is_err());
        assert!(parse("'user.name'='x").is_err());
        assert!(parse("'a.b'='x'junk").is_err());
    }
}
