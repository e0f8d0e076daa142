//! `brandvault user`: people's accounts from the command line, as the operator (an admin).

use anyhow::{bail, Context, Result};

use super::args::UserAction;
use super::listing::{print, printable};
use super::{operator, Opened};
use brandvault::accounts::{Accounts, NewUser};
use brandvault::model::UserPatch;

/// One line of standard input, without its line ending (a password: never echoed or logged).
fn read_password() -> Result<String> {
    let line = super::output::read_line().context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("no password on standard input (one line, e.g. `read -rs pw; echo \"$pw\" | brandvault user create …`)");
    }
    Ok(password)
}

pub(super) fn user(lib: &Opened, action: UserAction, json: bool) -> Result<i32> {
    let accounts = Accounts {
        catalog: &lib.catalog,
    };
    let actor = operator();
    match action {
        UserAction::Create {
            name,
            role,
            display_name,
            organisation,
        } => {
            let role = brandvault::http::auth::parse_role(&role).with_context(|| {
                format!("unknown role {role:?}: admin, brand_manager, designer, press or agency")
            })?;
            let password = read_password()?;
            let new = NewUser {
                name: &name,
                display_name: display_name.as_deref(),
                organisation: organisation.as_deref(),
                role,
                password: &password,
            };
            let user = accounts.create(&new, &actor, &lib.now)?;
            let report = serde_json::json!({"user": user.name, "role": user.role, "display_name": user.display_name});
            print(json, &report, || {
                format!(
                    "made the account {} ({})",
                    printable(&user.name),
                    report["role"].as_str().unwrap_or_default()
                )
            })
        }
        UserAction::Passwd { name } => {
            let password = read_password()?;
            accounts.set_password(&name, &password, &actor, &lib.now)?;
            let report = serde_json::json!({"user": name, "password": "changed"});
            print(json, &report, || {
                format!(
                    "new password set for {}; their sessions ended",
                    printable(&name)
                )
            })
        }
        UserAction::Disable { name } => set_disabled(lib, &accounts, &name, true, json),
        UserAction::Enable { name } => set_disabled(lib, &accounts, &name, false, json),
        UserAction::List => {
            let users: Vec<serde_json::Value> = lib
                .catalog
                .users()?
                .into_iter()
                .map(|u| serde_json::json!({"user": u.name, "display_name": u.display_name, "role": u.role, "disabled": u.disabled}))
                .collect();
            print(json, &users, || {
                users
                    .iter()
                    .map(|u| format!("{} {} {}", u["user"], u["role"], u["disabled"]))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
    }
}

fn set_disabled(
    lib: &Opened,
    accounts: &Accounts<'_>,
    name: &str,
    disabled: bool,
    json: bool,
) -> Result<i32> {
    let patch = UserPatch {
        disabled: Some(disabled),
        ..Default::default()
    };
    accounts.change(name, patch, &operator(), &lib.now)?;
    let report = serde_json::json!({"user": name, "disabled": disabled});
    print(json, &report, || {
        if disabled {
            format!("{} is disabled; their sessions ended", printable(name))
        } else {
            format!("{} may sign in again", printable(name))
        }
    })
}
