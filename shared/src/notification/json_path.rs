//! Paths into a notification's JSON. The app's form keeps its working state as the notification's JSON: each field is addressed by its path in the model
//! (`patient.address.phone`, `tests[1].result`, the same paths `shared`'s findings name), so one generic input
//! can edit any field and a finding lands next to the field it is about.

use serde_json::{Map, Value};

enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn steps(path: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        match part.split_once('[') {
            Some((key, rest)) => {
                out.push(Step::Key(key));
                let index = rest.trim_end_matches(']').parse().unwrap_or(0);
                out.push(Step::Index(index));
            }
            None => out.push(Step::Key(part)),
        }
    }
    out
}

/// The value at `path`, or `Null` when any part is missing.
pub fn get<'a>(root: &'a Value, path: &str) -> &'a Value {
    let mut v = root;
    for step in steps(path) {
        v = match step {
            Step::Key(k) => v.get(k),
            Step::Index(i) => v.get(i),
        }
        .unwrap_or(&Value::Null);
    }
    v
}

pub fn get_str(root: &Value, path: &str) -> String {
    match get(root, path) {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

pub fn get_bool(root: &Value, path: &str) -> bool {
    get(root, path).as_bool().unwrap_or(false)
}

/// Sets `path` to `value`, creating the objects and array entries on the way.
pub fn set(root: &mut Value, path: &str, value: Value) {
    let mut v = root;
    for step in steps(path) {
        v = match step {
            Step::Key(k) => {
                if !v.is_object() {
                    *v = Value::Object(Map::new());
                }
                let Value::Object(map) = v else { return };
                map.entry(k.to_owned()).or_insert(Value::Null)
            }
            Step::Index(i) => {
                if !v.is_array() {
                    *v = Value::Array(Vec::new());
                }
                let Value::Array(items) = v else { return };
                while items.len() <= i {
                    items.push(Value::Object(Map::new()));
                }
                &mut items[i]
            }
        };
    }
    *v = value;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_creates_the_path_and_get_reads_it() {
        let mut v = Value::Null;
        set(&mut v, "patient.address.phone", Value::from("090"));
        set(&mut v, "tests[1].result", Value::from("positive"));
        assert_eq!(get_str(&v, "patient.address.phone"), "090");
        assert_eq!(get_str(&v, "tests[1].result"), "positive");
        assert!(get(&v, "tests[0]").is_object());
        assert!(get(&v, "nothing.here").is_null());
    }
}
