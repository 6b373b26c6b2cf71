//! Hostile: a severity policy for a future contract (0.2.0) the host does not know.
wit_bindgen::generate!({
    inline: r#"
        package git-hotfix:plugin@0.2.0;
        interface severity {
            assess: func(title: string) -> string;
        }
        world severity-policy {
            export severity;
        }
    "#,
});
struct Future;
impl exports::git_hotfix::plugin::severity::Guest for Future {
    fn assess(title: String) -> String {
        title
    }
}
export!(Future);
