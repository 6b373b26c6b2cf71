//! Hostile: answers the same 1 MiB string 200 times. Each copy is the same bytes in its
//! memory, so the plugin stays small while the host would copy 200 MiB out of it.
use git_hotfix_plugin_sdk::*;
struct CopyBomb;
impl VersionFilesPolicy for CopyBomb {
    #[allow(unsafe_code)]
    fn detect(_: Vec<String>) -> Vec<String> {
        let one: &'static mut str = "x".repeat(1 << 20).leak();
        let (ptr, len) = (one.as_mut_ptr(), one.len());
        // SAFETY: none. The strings alias on purpose and are never dropped by this side:
        // the bindings hand each one's pointer to the host and the instance is thrown away.
        (0..200)
            .map(|_| unsafe { String::from_raw_parts(ptr, len, len) })
            .collect()
    }
    fn read_version(_: File) -> Result<String, PluginError> {
        Ok("1.0.0".into())
    }
    fn write_version(file: File, _: String) -> Result<String, PluginError> {
        Ok(file.content)
    }
}
export_version_files_policy!(CopyBomb);
