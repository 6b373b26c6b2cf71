//! HTTP as git-hotfix uses it outside GitHub: a deploy policy's health checks and the
//! version production reports. No redirects (a redirect is the answer: following it would
//! call a URL no one named), the system's trust store (internal services behind a private
//! CA), a deadline for the whole exchange.

use std::io::Read;
use std::time::Duration;

use git_hotfix_core::views::production;

/// An agent that answers every status as a response, not an error.
pub fn agent(deadline: Duration) -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(deadline))
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                .build(),
        )
        .build();
    ureq::Agent::new_with_config(config)
}

/// The service production runs, asked by `status` which version it is: a short deadline
/// (status is read often, and must not hang on a service that is down) and a small body.
pub struct Production;

/// How long `status` waits for the service.
const DEADLINE: Duration = Duration::from_secs(3);
/// A version endpoint's answer is short; more is not read.
const MOST_BYTES: u64 = 64 * 1024;

impl production::Service for Production {
    fn get(&self, url: &str) -> Result<String, String> {
        let mut response = agent(DEADLINE)
            .get(url)
            .call()
            .map_err(|err| format!("could not be reached: {err}"))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(format!("answered {status}"));
        }
        let mut body = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(MOST_BYTES)
            .read_to_end(&mut body)
            .map_err(|err| format!("its answer could not be read: {err}"))?;
        Ok(String::from_utf8_lossy(&body).into_owned())
    }
}
