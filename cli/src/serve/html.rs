//! The sign-in and consent page: plain HTML, labelled fields, no scripts; the only thing
//! it loads is the app's logo (`https` or an inline `data:` image, as the CSP allows).

use super::details::AppDetails;

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

/// What the consent page says about the request.
pub(crate) struct ConsentPage<'a> {
    /// Where the form posts the decision (the profile's path).
    pub(crate) decision_path: &'a str,
    /// The app's display name.
    pub(crate) app_name: &'a str,
    /// The requested scope.
    pub(crate) scope: &'a str,
    /// What the app's registration says about it (all optional).
    pub(crate) details: &'a AppDetails,
}

/// The app's logo, description, links and developer, escaped (URLs were checked at
/// registration: `https`, or a bounded `data:image/…` logo).
fn about(details: &AppDetails) -> String {
    let mut out = String::new();
    if let Some(logo) = &details.logo_url {
        out.push_str(&format!(
            "<p><img src=\"{}\" alt=\"\" width=\"64\" height=\"64\"></p>\n",
            escape(logo)
        ));
    }
    if let Some(description) = &details.description {
        out.push_str(&format!("<p>{}</p>\n", escape(description)));
    }
    let mut by = Vec::new();
    if let Some(name) = &details.developer_name {
        by.push(escape(name));
    }
    if let Some(email) = &details.developer_email {
        by.push(format!("&lt;{}&gt;", escape(email)));
    }
    if !by.is_empty() {
        out.push_str(&format!(
            "<p><small>Developer: {}</small></p>\n",
            by.join(" ")
        ));
    }
    let links: Vec<String> = [
        ("About this app", &details.app_description_url),
        ("Privacy policy", &details.privacy_policy_url),
    ]
    .into_iter()
    .filter_map(|(label, url)| {
        url.as_ref().map(|url| {
            format!(
                "<a href=\"{}\" rel=\"noopener noreferrer\" target=\"_blank\">{label}</a>",
                escape(url)
            )
        })
    })
    .collect();
    if !links.is_empty() {
        out.push_str(&format!("<p><small>{}</small></p>\n", links.join(" · ")));
    }
    out
}

/// The page for an authorization request; the form posts the original `query` back with
/// the user's decision and the page's single-use `consent_token`.
pub(crate) fn consent_page(page: &ConsentPage<'_>, query: &str, consent_token: &str) -> String {
    let (app_name, scope) = (page.app_name, page.scope);
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
{about}
<form method="post" action="{action}">
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
        action = escape(page.decision_path),
        about = about(page.details),
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
        let details = AppDetails {
            description: Some("<b>Field</b> app".into()),
            logo_url: Some("https://example.com/l.png?a=1&b=2".into()),
            developer_email: Some("dev@example.com".into()),
            privacy_policy_url: Some("https://example.com/\"privacy".into()),
            ..AppDetails::default()
        };
        let shown = ConsentPage {
            decision_path: "/integrations/oauth2/authorize/decision",
            app_name: "<App>",
            scope: "read write",
            details: &details,
        };
        let page = consent_page(&shown, "a=1&b=\"2\"", "t0k3n");
        assert!(page.contains("&lt;b&gt;Field&lt;/b&gt; app"));
        assert!(page.contains(r#"<img src="https://example.com/l.png?a=1&amp;b=2""#));
        assert!(page.contains("&lt;dev@example.com&gt;"));
        assert!(page.contains(r#"href="https://example.com/&quot;privacy""#));
        assert!(page.contains(r#"name="consent_token" value="t0k3n""#));
        assert!(page.contains("&lt;App&gt;"));
        assert!(page.contains(r#"value="a=1&amp;b=&quot;2&quot;""#));
        assert!(page.contains("read, write"));
        assert!(page.contains(r#"<label for="username">"#));
    }
}
