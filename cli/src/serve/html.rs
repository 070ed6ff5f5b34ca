//! The sign-in and consent page: plain HTML, labelled fields, no scripts, no external
//! assets.

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// The page for an authorization request from `app_name` asking for `scope`; the form
/// posts the original `query` back with the user's decision and the page's single-use
/// `consent_token`.
pub(crate) fn consent_page(
    app_name: &str,
    scope: &str,
    query: &str,
    consent_token: &str,
) -> String {
    let scope_text = if scope.is_empty() {
        "basic access to your account".to_owned()
    } else {
        scope.replace(' ', ", ")
    };
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in to authorize {app} — authcode</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }}
label {{ display: block; margin-top: 1rem; font-weight: 600; }}
input {{ width: 100%; padding: .5rem; font-size: 1rem; box-sizing: border-box; }}
.actions {{ margin-top: 1.5rem; display: flex; gap: 1rem; }}
button {{ padding: .6rem 1.2rem; font-size: 1rem; }}
</style>
</head>
<body>
<main>
<h1>Sign in</h1>
<p><strong>{app}</strong> asks to access: {scope}.</p>
<form method="post" action="/integrations/oauth2/authorize/decision">
<input type="hidden" name="query" value="{query}">
<input type="hidden" name="consent_token" value="{token}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password">
<div class="actions">
<button id="allow" type="submit" name="decision" value="allow">Allow</button>
<button id="deny" type="submit" name="decision" value="deny" formnovalidate>Deny</button>
</div>
</form>
<p><small>Local development server: any username signs in; the password is not checked.</small></p>
</main>
</body>
</html>
"#,
        app = escape(app_name),
        scope = escape(&scope_text),
        query = escape(query),
        token = escape(consent_token),
    )
}

/// A short page for errors shown to the user instead of redirecting.
pub(crate) fn error_page(message: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Authorization error — authcode</title></head>\n<body><main><h1>This authorization request cannot be completed</h1><p>{}</p></main></body></html>\n",
        escape(message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn the_page_carries_the_query_escaped() {
        let page = consent_page("<App>", "read write", "a=1&b=\"2\"", "t0k3n");
        assert!(page.contains(r#"name="consent_token" value="t0k3n""#));
        assert!(page.contains("&lt;App&gt;"));
        assert!(page.contains(r#"value="a=1&amp;b=&quot;2&quot;""#));
        assert!(page.contains("read, write"));
        assert!(page.contains(r#"<label for="username">"#));
    }
}
