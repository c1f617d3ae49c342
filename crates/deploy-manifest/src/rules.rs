//! One rule per kind of field: the value as TOML gave it in, the checked value
//! out, or a message saying what is accepted.

use toml::Value;

use crate::METHODS;

/// The TOML type of `value`, for messages such as "found a string".
fn kind(value: &Value) -> String {
    match value {
        Value::String(text) => format!("the string {text:?}"),
        Value::Integer(number) => format!("the integer {number}"),
        Value::Float(number) => format!("the number {number}"),
        Value::Boolean(flag) => format!("the boolean {flag}"),
        Value::Datetime(_) => "a date".to_owned(),
        Value::Array(_) => "a list".to_owned(),
        Value::Table(_) => "a table".to_owned(),
    }
}

fn string<'v>(value: &'v Value, example: &str) -> Result<&'v str, String> {
    value.as_str().ok_or_else(|| {
        format!(
            "expected a string such as {example:?}, found {}",
            kind(value)
        )
    })
}

pub(crate) fn image(value: &Value) -> Result<String, String> {
    let image = string(value, "restlings-shop:10")?;
    if image.is_empty() || image.chars().any(char::is_whitespace) {
        return Err(format!(
            "{image:?} is not an image name: write it as name:tag, such as \"restlings-shop:10\""
        ));
    }
    // A registry host may carry a port (`localhost:5000/shop:1`), so the tag
    // is what follows the last `:` after the last `/`.
    let last = image.rsplit('/').next().unwrap_or(image);
    let (name, tag) = match last.split_once('@') {
        Some((name, _digest)) => (name, Some("a digest")),
        None => match last.rsplit_once(':') {
            Some((name, tag)) => (name, Some(tag)),
            None => (last, None),
        },
    };
    let repository = &image[..image.len() - (last.len() - name.len())];
    if repository.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(format!(
            "{image:?} has capital letters in its name: image names are lowercase"
        ));
    }
    match tag {
        None | Some("") => Err(format!(
            "{image:?} has no tag: pin one, such as \"{image}:10\", so every deploy runs the image you tested"
        )),
        Some("latest") => Err(format!(
            "{image:?} uses the tag latest, which names a different image after every build: pin a version, such as \"{name}:10\""
        )),
        Some(_) => Ok(image.to_owned()),
    }
}

pub(crate) fn binary(value: &Value) -> Result<String, String> {
    let binary = string(value, "shop")?;
    let ok = !binary.is_empty()
        && binary
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(binary.to_owned())
    } else {
        Err(format!(
            "{binary:?} is not a binary target name: use the name of a [[bin]] (or src/main.rs's package), with letters, digits, - and _"
        ))
    }
}

pub(crate) fn port(value: &Value) -> Result<u16, String> {
    const ACCEPTED: &str = "use a whole number from 1 to 65535, such as 8080";
    match value {
        Value::Integer(number) => match u16::try_from(*number) {
            Ok(port) if port > 0 => Ok(port),
            _ => Err(format!("{number} is not a port: {ACCEPTED}")),
        },
        // TOML keeps 8080.5 and 8080.0 apart from 8080, and so does a port.
        Value::Float(number) => Err(format!("{number:?} is not a port: {ACCEPTED}")),
        other => Err(format!(
            "expected a number, found {}: {ACCEPTED}",
            kind(other)
        )),
    }
}

pub(crate) fn health(value: &Value) -> Result<String, String> {
    let health = string(value, "/health")?;
    if health.contains('{') {
        return Err(format!(
            "{health:?} has a placeholder: a health check is one fixed path, such as \"/health\""
        ));
    }
    path_shape(health).map(str::to_owned)
}

pub(crate) fn env_name(value: &Value) -> Result<String, String> {
    let name = string(value, "API_KEY")?;
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|first| first.is_ascii_uppercase() || first == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        return Err(format!(
            "{name:?} is not an environment variable name: use capitals, digits and _, not starting with a digit, such as \"API_KEY\""
        ));
    }
    if name == "PORT" {
        return Err(
            "PORT comes from the `port` field, which restlings deploy passes to the service: remove it from env"
                .to_owned(),
        );
    }
    Ok(name.to_owned())
}

pub(crate) fn method(value: &Value) -> Result<String, String> {
    let method = string(value, "GET")?;
    if METHODS.contains(&method) {
        return Ok(method.to_owned());
    }
    let upper = method.to_ascii_uppercase();
    if METHODS.contains(&upper.as_str()) {
        return Err(format!(
            "{method:?}: HTTP methods are case-sensitive and the standard ones are capitals: write \"{upper}\""
        ));
    }
    Err(format!(
        "{method:?} is not an HTTP method: use one of {}",
        METHODS.join(", ")
    ))
}

pub(crate) fn path(value: &Value) -> Result<String, String> {
    let path = path_shape(string(value, "/products")?)?;
    for segment in path.split('/') {
        let opens = segment.matches('{').count();
        let closes = segment.matches('}').count();
        let whole = opens == 0 && closes == 0
            || opens == 1
                && closes == 1
                && segment.len() > 2
                && segment.starts_with('{')
                && segment.ends_with('}');
        if !whole {
            return Err(format!(
                "{path:?}: a placeholder fills a whole segment between slashes, such as \"/products/{{id}}\""
            ));
        }
    }
    Ok(path.to_owned())
}

/// What every path shares: it starts with `/` and is only a path.
fn path_shape(path: &str) -> Result<&str, String> {
    if !path.starts_with('/') {
        return Err(format!(
            "{path:?} does not start with /: write the path only, such as \"/products\""
        ));
    }
    if path
        .chars()
        .any(|c| c.is_whitespace() || c == '?' || c == '#')
    {
        return Err(format!(
            "{path:?} is not a plain path: leave out spaces, query strings (?) and fragments (#)"
        ));
    }
    Ok(path)
}

/// A stack file beside the manifest: a relative path to a `.yml` or `.yaml`
/// file, so the manifest and its stack travel together.
pub(crate) fn stack(value: &Value) -> Result<String, String> {
    let stack = string(value, "stack.yml")?;
    let relative = !stack.is_empty()
        && !stack.starts_with('/')
        && !stack.starts_with('\\')
        && !stack.contains(':');
    if !relative {
        return Err(format!(
            "{stack:?} is not a path beside the manifest: write it relative to deploy.toml, such \
             as \"stack.yml\""
        ));
    }
    if !(stack.ends_with(".yml") || stack.ends_with(".yaml")) {
        return Err(format!(
            "{stack:?} is not a stack file: a stack file is YAML in the Compose Specification, \
             such as \"stack.yml\""
        ));
    }
    Ok(stack.to_owned())
}
