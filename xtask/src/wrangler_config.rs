//! `wrangler.toml` keeps the rules of `shared::config` in every environment: the local `[vars]` and each
//! `[env.<name>.vars]` load without error, and none but a test configuration may enable the test clock or (in
//! production) the bench routes. The worker refuses a broken configuration at run time too; this catches it before.

#[cfg(test)]
mod tests {
    use shared::config::{load, Environment};
    use toml_edit::{DocumentMut, Item, Table};

    fn vars_of(table: &Table) -> Vec<(String, String)> {
        table
            .get("vars")
            .and_then(Item::as_table)
            .map(|vars| {
                vars.iter()
                    .filter_map(|(k, v)| Some((k.to_owned(), v.as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn every_environment_of_wrangler_toml_is_a_valid_configuration() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../wrangler.toml"))
                .expect("wrangler.toml");
        let doc: DocumentMut = text.parse().expect("wrangler.toml parses");
        let mut checked = Vec::new();
        let mut environments = vec![("(top level)".to_owned(), vars_of(doc.as_table()))];
        if let Some(envs) = doc.get("env").and_then(Item::as_table) {
            for (name, item) in envs.iter() {
                let table = item.as_table().expect("an [env.*] table");
                environments.push((name.to_owned(), vars_of(table)));
            }
        }
        for (name, vars) in environments {
            let get = |k: &str| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            let config = load(get).unwrap_or_else(|e| panic!("wrangler.toml {name}: {e}"));
            assert!(
                !config.test_clock,
                "{name}: TEST_CLOCK belongs to the test harness only"
            );
            if name == "production" {
                assert_eq!(config.environment, Environment::Production);
                assert!(!config.bench_routes);
            }
            checked.push(name);
        }
        assert!(
            checked.iter().any(|n| n == "production"),
            "wrangler.toml has a production environment: {checked:?}"
        );
    }
}
