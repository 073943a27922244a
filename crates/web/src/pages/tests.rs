//! What a person (and a handler) relies on in the rendered pages.

use super::*;

const NO_ERRORS: FormErrors = FormErrors {
    form: None,
    fields: Vec::new(),
};

fn carried() -> Vec<(String, String)> {
    vec![
        ("client_id".to_owned(), "app-1".to_owned()),
        (
            "redirect_uri".to_owned(),
            "https://app.test/cb?a=1&b=2".to_owned(),
        ),
    ]
}

fn login_view<'a>(carried: &'a [(String, String)], errors: &'a FormErrors) -> LoginView<'a> {
    LoginView {
        environment_name: "Acme",
        action: "/authorize/login",
        csrf_token: "csrf-123",
        carried,
        email: "",
        errors,
        signup_url: Some("/authorize/signup"),
        forgot_url: Some("/authorize/forgot"),
        notice: None,
    }
}

fn signup_view<'a>(errors: &'a FormErrors) -> SignupView<'a> {
    SignupView {
        environment_name: "Acme",
        action: "/authorize/signup",
        csrf_token: "csrf-123",
        carried: &[],
        first_name: "Ada",
        last_name: "Lovelace",
        email: "ada@example.com",
        tenant_name: "",
        ask_tenant_name: false,
        errors,
        login_url: "/authorize/login",
        password_hint: "At least 8 characters",
    }
}

/// The one `<input …>` tag whose `id` is `id`.
fn input_tag<'h>(html: &'h str, id: &str) -> &'h str {
    let needle = format!("id=\"{id}\"");
    let at = html
        .find(&needle)
        .unwrap_or_else(|| panic!("no id {id} in {html}"));
    let start = html[..at].rfind('<').expect("tag start");
    let end = at + html[at..].find('>').expect("tag end");
    &html[start..=end]
}

#[test]
fn values_are_escaped() {
    let errors = FormErrors {
        form: Some("<b>bad</b>".to_owned()),
        fields: vec![("email", "<i>nope</i>".to_owned())],
    };
    let carried = vec![(
        "x\"><script>".to_owned(),
        "\"><script>alert(1)</script>".to_owned(),
    )];
    let html = login(&LoginView {
        environment_name: "<script>alert('env')</script>",
        email: "\"><script>alert(1)</script>",
        notice: Some("<script>n</script>"),
        ..login_view(&carried, &errors)
    });
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<b>") && !html.contains("<i>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert('env')&lt;/script&gt;"),
        "{html}"
    );
    assert!(html.contains("value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""));

    let html = message(&MessageView {
        environment_name: "<script>",
        title: "<script>",
        message: "<script>",
        tone: Tone::Error,
        link: Some(("<script>", "\"><script>")),
    });
    assert!(!html.contains("<script"), "{html}");
}

#[test]
fn a_field_error_sits_by_its_field_and_is_linked_to_it() {
    let errors = FormErrors {
        form: None,
        fields: vec![("email", "Enter a valid email address".to_owned())],
    };
    let html = signup(&signup_view(&errors));
    let email = input_tag(&html, "email");
    assert!(email.contains("aria-invalid=\"true\""), "{email}");
    assert!(
        email.contains("aria-describedby=\"email-error\""),
        "{email}"
    );
    assert!(
        email.contains("autofocus"),
        "the first invalid field takes focus: {email}"
    );
    let error = &html[html.find("id=\"email-error\"").expect("error element")..];
    assert!(error.contains("Enter a valid email address"));
    // Next to its field: after the email input, before the next field.
    let input_at = html.find(email).expect("email input");
    let error_at = html.find("id=\"email-error\"").expect("error element");
    let password_at = html.find("id=\"password\"").expect("password input");
    assert!(input_at < error_at && error_at < password_at);

    let first = input_tag(&html, "firstName");
    assert!(!first.contains("aria-invalid"), "{first}");
    assert!(!first.contains("autofocus"), "{first}");
    // The hint stays described alongside the error.
    let errors = FormErrors {
        form: None,
        fields: vec![("password", "Too short".to_owned())],
    };
    let html = signup(&signup_view(&errors));
    let password = input_tag(&html, "password");
    assert!(
        password.contains("aria-describedby=\"password-error password-hint\""),
        "{password}"
    );
    assert!(html.contains("id=\"password-hint\""));
}

#[test]
fn form_errors_are_announced_and_no_error_is_dropped() {
    let errors = FormErrors {
        form: Some("Wrong email or password".to_owned()),
        fields: vec![("csrf", "The form expired, please try again".to_owned())],
    };
    let carried = carried();
    let html = login(&login_view(&carried, &errors));
    let alert = &html[html.find("role=\"alert\"").expect("alert")..];
    assert!(alert.contains("Wrong email or password"));
    assert!(alert.contains("The form expired, please try again"));

    let html = login(&login_view(&carried, &NO_ERRORS));
    assert!(!html.contains("role=\"alert\""));
    assert!(!html.contains("aria-invalid"));
}

#[test]
fn no_signup_link_when_signup_is_off() {
    let carried = carried();
    let with = login(&login_view(&carried, &NO_ERRORS));
    assert!(with.contains("href=\"/authorize/signup\""));
    assert!(with.contains("Create an account"));
    assert!(with.contains("href=\"/authorize/forgot\""));

    let without = login(&LoginView {
        signup_url: None,
        forgot_url: None,
        ..login_view(&carried, &NO_ERRORS)
    });
    assert!(!without.contains("/authorize/signup"));
    assert!(!without.contains("Create an account"));
    assert!(!without.contains("Forgot your password?"));
}

#[test]
fn tenant_name_only_when_asked() {
    let html = signup(&signup_view(&NO_ERRORS));
    assert!(!html.contains("tenantName"));
    assert!(!html.contains("Organization name"));

    let html = signup(&SignupView {
        ask_tenant_name: true,
        tenant_name: "Analytical Engines",
        ..signup_view(&NO_ERRORS)
    });
    let tenant = input_tag(&html, "tenantName");
    assert!(tenant.contains("name=\"tenantName\""));
    assert!(tenant.contains("autocomplete=\"organization\""));
    assert!(tenant.contains("value=\"Analytical Engines\""));
    assert!(html.contains("<label for=\"tenantName\">Organization name</label>"));
}

#[test]
fn every_form_posts_csrf_and_the_carried_inputs() {
    let carried = carried();
    let pages = [
        login(&login_view(&carried, &NO_ERRORS)),
        signup(&SignupView {
            carried: &carried,
            ..signup_view(&NO_ERRORS)
        }),
        forgot_password(&ForgotView {
            environment_name: "Acme",
            action: "/authorize/forgot",
            csrf_token: "csrf-123",
            carried: &carried,
            email: "",
            errors: &NO_ERRORS,
            login_url: "/authorize/login",
            sent: false,
        }),
    ];
    for html in &pages {
        assert!(html.contains("method=\"post\""), "{html}");
        assert!(html.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-123\">"));
        assert!(html.contains("<input type=\"hidden\" name=\"client_id\" value=\"app-1\">"));
        assert!(html.contains(
            "<input type=\"hidden\" name=\"redirect_uri\" value=\"https://app.test/cb?a=1&amp;b=2\">"
        ));
    }
    assert!(pages[0].contains("action=\"/authorize/login\""));

    let reset = reset_password(&ResetView {
        environment_name: "Acme",
        action: "/authorize/reset",
        csrf_token: "csrf-123",
        token: "tok\"en",
        errors: &NO_ERRORS,
        login_url: "/authorize/login",
        password_hint: "At least 8 characters",
    });
    assert!(reset.contains("<input type=\"hidden\" name=\"csrf\" value=\"csrf-123\">"));
    assert!(reset.contains("<input type=\"hidden\" name=\"token\" value=\"tok&quot;en\">"));
    assert!(reset.contains("action=\"/authorize/reset\""));
}

#[test]
fn inputs_keep_their_names_labels_and_autocomplete() {
    let carried = carried();
    let html = login(&LoginView {
        email: "ada@example.com",
        ..login_view(&carried, &NO_ERRORS)
    });
    let email = input_tag(&html, "email");
    assert!(email.contains("name=\"email\"") && email.contains("type=\"email\""));
    assert!(email.contains("autocomplete=\"email\""));
    assert!(email.contains("value=\"ada@example.com\""));
    let password = input_tag(&html, "password");
    assert!(password.contains("autocomplete=\"current-password\""));
    assert!(
        password.contains("autofocus"),
        "the empty field after a prefilled one"
    );
    assert!(!password.contains("value="), "a password is never echoed");
    assert!(html.contains(">Log in</button>"));

    let html = signup(&signup_view(&NO_ERRORS));
    for (id, autocomplete) in [
        ("firstName", "given-name"),
        ("lastName", "family-name"),
        ("email", "email"),
        ("password", "new-password"),
    ] {
        let tag = input_tag(&html, id);
        assert!(tag.contains(&format!("name=\"{id}\"")), "{tag}");
        assert!(
            tag.contains(&format!("autocomplete=\"{autocomplete}\"")),
            "{tag}"
        );
        assert!(
            html.contains(&format!("<label for=\"{id}\">")),
            "label for {id}"
        );
    }
    assert!(html.contains(">Create account</button>"));
    assert!(html.contains("At least 8 characters"));

    let html = reset_password(&ResetView {
        environment_name: "Acme",
        action: "/authorize/reset",
        csrf_token: "c",
        token: "t",
        errors: &NO_ERRORS,
        login_url: "/authorize/login",
        password_hint: "At least 8 characters",
    });
    assert!(input_tag(&html, "password").contains("autocomplete=\"new-password\""));
    assert!(html.contains(">Set new password</button>"));
}

#[test]
fn forgot_page_confirms_without_telling_whether_the_account_exists() {
    let view = ForgotView {
        environment_name: "Acme",
        action: "/authorize/forgot",
        csrf_token: "c",
        carried: &[],
        email: "ada@example.com",
        errors: &NO_ERRORS,
        login_url: "/authorize/login",
        sent: false,
    };
    let form = forgot_password(&view);
    assert!(form.contains(">Send reset link</button>"));
    assert!(input_tag(&form, "email").contains("value=\"ada@example.com\""));

    let sent = forgot_password(&ForgotView { sent: true, ..view });
    assert!(sent.contains("If an account exists for that address, we sent a link"));
    assert!(!sent.contains("<form"));
    assert!(sent.contains("href=\"/authorize/login\""));
}

#[test]
fn every_page_is_a_whole_accessible_document() {
    let carried = carried();
    let pages = [
        login(&LoginView {
            notice: Some("Your password was changed. Log in with the new one."),
            ..login_view(&carried, &NO_ERRORS)
        }),
        signup(&signup_view(&NO_ERRORS)),
        message(&MessageView {
            environment_name: "Acme",
            title: "Link expired",
            message: "Ask for a new one.",
            tone: Tone::Error,
            link: Some(("Back to log in", "/authorize/login")),
        }),
    ];
    for html in &pages {
        assert!(
            html.starts_with("<!DOCTYPE html><html lang=\"en\">"),
            "{html}"
        );
        assert!(html.contains("name=\"viewport\""));
        assert!(html.contains(&format!("href=\"{STYLESHEET_PATH}\"")));
        assert_eq!(html.matches("<h1").count(), 1, "{html}");
        assert_eq!(html.matches("<main").count(), 1, "{html}");
        assert!(html.contains("Acme"));
        assert!(!html.contains("<script"));
    }
    assert!(pages[0].contains("role=\"status\""));
    assert!(pages[0].contains("<title>Log in · Acme</title>"));
    assert!(pages[2].contains("<title>Link expired · Acme</title>"));
    assert!(
        pages[2].contains("Error: "),
        "the tone is said in words too"
    );
}

#[test]
fn the_stylesheet_stays_small_and_self_contained() {
    assert!(STYLESHEET.len() < 6 * 1024, "{} bytes", STYLESHEET.len());
    assert!(!STYLESHEET.contains("url("), "no external resources");
    assert!(!STYLESHEET.contains("@import"));
    assert!(STYLESHEET.contains("prefers-color-scheme: dark"));
}

#[test]
fn the_summary_points_at_marked_fields_without_repeating_them() {
    let errors = FormErrors {
        form: None,
        fields: vec![
            ("firstName", "Enter your first name".to_owned()),
            ("email", "Enter a valid email address".to_owned()),
        ],
    };
    let html = signup(&signup_view(&errors));
    assert!(html.contains("Please correct the fields marked below."));
    assert_eq!(html.matches("Enter a valid email address").count(), 1);

    let errors = FormErrors {
        form: None,
        fields: vec![("email", "Enter your email address".to_owned())],
    };
    let forgot = forgot_password(&ForgotView {
        environment_name: "Acme",
        action: "/authorize/forgot",
        csrf_token: "c",
        carried: &[],
        email: "",
        errors: &errors,
        login_url: "/authorize/login",
        sent: false,
    });
    assert!(
        !forgot.contains("role=\"alert\""),
        "the one field's error is enough"
    );
    assert!(forgot.contains("id=\"email-error\""));
}
