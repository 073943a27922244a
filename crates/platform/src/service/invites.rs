//! Invitations: the third way a user comes to exist. An invitation names an email, a tenant and
//! roles; its link (mailed, single use, expiring) opens the hosted accept page, where the person
//! picks a password and becomes a user through the same store path as `createUser`, so the user
//! reaches the BaaS by sync.
//!
//! Who may invite: the service account, into any tenant, with any roles. A user token, only into
//! its own tenant, in its own name (`createdByUserId` is the caller), and only with roles that
//! one of its roles lists in `inviteRoleKeys` (ROQ's rule); a user none of whose roles lists any
//! may not invite. A user token may resend, cancel or change only invitations it could have sent
//! (its tenant's, with roles it may hand out). Each invitation of a batch succeeds or fails on
//! its own, with a stable code; who invites and into which tenant are checked for the whole
//! batch before anything is sent.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};

use chrono::Duration;
use tandem_core::{Email, RoleId, UserId};

use super::roles::dedupe;
use super::sessions::{digest, required_name};
use super::{PlatformService, Principal, validate};
use crate::domain::User;
use crate::domain::invite::{
    Acceptance, InviteFailure, InviteQuery, InviteResults, InviteStatus, InviteUpdate, NewInvite,
    NewInvites, UserInvite,
};
use crate::domain::{Page, Tenant};
use crate::environment::random_secret;
use crate::error::{PlatformError, PlatformResult};
use crate::mail::Kind;
use crate::password::{self, Password};

/// Invitations one request may send.
pub const MAX_INVITES_PER_REQUEST: usize = 100;

/// What the accept page shows about the invitation behind a link.
#[derive(Debug, Clone)]
pub struct InviteView {
    /// As of now (a pending invite past its expiry is expired).
    pub invite: UserInvite,
    pub tenant_name: String,
    pub inviter_name: String,
    pub environment_name: String,
}

/// Someone who invites: a user, or a Console admin (by email); the name the mail shows; and
/// (for user tokens) the role keys they may hand out.
struct Inviter {
    user: Option<User>,
    admin: Option<String>,
    name: String,
    may_invite: Option<BTreeSet<String>>,
}

fn display_name(user: &User) -> String {
    match (user.first_name.as_deref(), user.last_name.as_deref()) {
        (Some(first), Some(last)) => format!("{first} {last}"),
        (Some(name), None) | (None, Some(name)) => name.to_owned(),
        (None, None) => user.email.as_str().to_owned(),
    }
}

/// "7 days", "36 hours", "1 hour".
fn lifetime_words(lifetime: Duration) -> String {
    let (n, unit) = if lifetime.num_hours() >= 48 && lifetime.num_hours() % 24 == 0 {
        (lifetime.num_days(), "day")
    } else if lifetime.num_hours() >= 1 {
        (lifetime.num_hours(), "hour")
    } else {
        (lifetime.num_minutes(), "minute")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

impl PlatformService {
    /// Sends each invitation of the batch that can be sent; the others come back as failures.
    /// `host` is the request's Host header (for the links, without `--public-url`).
    #[tracing::instrument(skip_all, fields(count = batch.invites.len()))]
    pub async fn send_invites(
        &self,
        principal: &Principal,
        batch: NewInvites,
        host: Option<&str>,
    ) -> PlatformResult<InviteResults> {
        if batch.invites.is_empty() || batch.invites.len() > MAX_INVITES_PER_REQUEST {
            return Err(PlatformError::InvalidInput(format!(
                "send 1 to {MAX_INVITES_PER_REQUEST} invitations per request, not {}",
                batch.invites.len()
            )));
        }
        let base = self.link_base(host)?;
        let settings = self.auth_settings().await?;
        // Who invites and into which tenant are the request's to get right: a mistake there
        // fails the whole request, before anything is sent.
        let mut inviters: HashMap<String, Inviter> = HashMap::new();
        let mut tenants: HashMap<Option<String>, Tenant> = HashMap::new();
        for new in &batch.invites {
            let inviter_key = new.created_by_user_id.trim().to_owned();
            if let Entry::Vacant(slot) = inviters.entry(inviter_key) {
                let inviter = self.inviter(principal, slot.key()).await?;
                slot.insert(inviter);
            }
            let tenant_key = new.tenant_id.clone().or_else(|| batch.tenant_id.clone());
            if let Entry::Vacant(slot) = tenants.entry(tenant_key) {
                let tenant = self.invite_tenant(principal, slot.key().as_deref()).await?;
                slot.insert(tenant);
            }
        }
        let mut results = InviteResults::default();
        for new in batch.invites {
            let tenant_key = new.tenant_id.clone().or_else(|| batch.tenant_id.clone());
            let (Some(inviter), Some(tenant)) = (
                inviters.get(new.created_by_user_id.trim()),
                tenants.get(&tenant_key),
            ) else {
                continue;
            };
            let tenant = tenant.clone();
            let (email, first_name, last_name) = (
                new.email.clone(),
                new.first_name.clone(),
                new.last_name.clone(),
            );
            match self.send_one(new, inviter, &tenant, &settings, &base).await {
                Ok(invite) => results.sent.push(invite),
                Err(err @ PlatformError::Internal(_)) => return Err(err),
                Err(err) => results.failed.push(InviteFailure {
                    email,
                    first_name,
                    last_name,
                    code: err.code(),
                    message: err.public_message(),
                }),
            }
        }
        tracing::info!(
            sent = results.sent.len(),
            failed = results.failed.len(),
            "invitations sent"
        );
        Ok(results)
    }

    /// The user named as inviter, as the principal may name them.
    async fn inviter(&self, principal: &Principal, created_by: &str) -> PlatformResult<Inviter> {
        let user_id = super::parse_user_id(created_by)?;
        match principal {
            Principal::ServiceAccount => {}
            Principal::User { id, .. } if *id == user_id => {}
            Principal::User { .. } => {
                return Err(PlatformError::Forbidden(
                    "a user token may only invite in its own name: createdByUserId must be the caller's id".into(),
                ));
            }
        }
        let user = self.load_user(created_by).await?;
        if !user.active {
            return Err(PlatformError::UserDeactivated);
        }
        let may_invite = match principal {
            Principal::ServiceAccount => None,
            Principal::User { .. } => {
                let roles = self.store.roles_of_users(&[user.id]).await?;
                Some(
                    roles
                        .get(&user.id)
                        .into_iter()
                        .flatten()
                        .flat_map(|r| r.invite_role_keys.iter().cloned())
                        .collect(),
                )
            }
        };
        Ok(Inviter {
            name: display_name(&user),
            user: Some(user),
            admin: None,
            may_invite,
        })
    }

    /// The tenant an invitation is into: the named one (a user token: its own), else the
    /// default tenant (a user token: its own).
    async fn invite_tenant(
        &self,
        principal: &Principal,
        tenant_id: Option<&str>,
    ) -> PlatformResult<Tenant> {
        let id = match (tenant_id, principal.tenant_scope()) {
            (Some(raw), scope) => {
                let id = super::parse_tenant_id(raw)?;
                if scope.is_some_and(|own| own != id) {
                    return Err(PlatformError::Forbidden(
                        "a user token may only invite into its own tenant".into(),
                    ));
                }
                id
            }
            (None, Some(own)) => own,
            (None, None) => self.ensure_default_tenant().await?.id,
        };
        self.store
            .tenant(id)
            .await?
            .ok_or_else(|| PlatformError::TenantNotFound(id.to_string()))
    }

    async fn send_one(
        &self,
        new: NewInvite,
        inviter: &Inviter,
        tenant: &Tenant,
        settings: &crate::domain::auth::AuthSettings,
        base: &str,
    ) -> PlatformResult<UserInvite> {
        let email = Email::parse(&new.email)?;
        let role_keys = dedupe(new.role_keys);
        self.roles_for_keys(&role_keys).await?;
        if let Some(allowed) = &inviter.may_invite {
            if allowed.is_empty() {
                return Err(PlatformError::Forbidden(
                    "none of your roles may invite users (a role's inviteRoleKeys lists the roles its holders may invite)".into(),
                ));
            }
            if let Some(key) = role_keys.iter().find(|k| !allowed.contains(*k)) {
                return Err(PlatformError::Forbidden(format!(
                    "your roles may not invite with the role `{key}` (their inviteRoleKeys do not list it)"
                )));
            }
        }
        let first_name = validate::optional_text("firstName", new.first_name)?;
        let last_name = validate::optional_text("lastName", new.last_name)?;
        let locale = validate::optional_text("locale", new.locale)?;
        let data = new.data.map(validate::custom_data).transpose()?;
        if self.store.user_by_email(&email).await?.is_some() {
            return Err(PlatformError::DuplicateEmail);
        }
        let now = self.clock.now();
        let lifetime = Duration::seconds(settings.invite_lifetime);
        let invite = UserInvite {
            id: uuid::Uuid::new_v4().to_string(),
            email,
            first_name,
            last_name,
            locale,
            data,
            role_keys,
            tenant_id: tenant.id,
            created_by_user_id: inviter.user.as_ref().map(|u| u.id),
            created_by_admin: inviter.admin.clone(),
            accepted_by_user_id: None,
            status: InviteStatus::Pending,
            status_updated_at: now,
            user_token_id: uuid::Uuid::new_v4().to_string(),
            expires_at: now + lifetime,
            created_at: now,
            updated_at: now,
        };
        let token = random_secret()?;
        let mail = self
            .invite_mail(&invite, &inviter.name, tenant, settings, base, &token)
            .await;
        self.store
            .insert_invite(&invite, &digest(&token), &mail)
            .await?;
        Ok(invite)
    }

    async fn invite_mail(
        &self,
        invite: &UserInvite,
        inviter_name: &str,
        tenant: &Tenant,
        settings: &crate::domain::auth::AuthSettings,
        base: &str,
        token: &str,
    ) -> crate::domain::auth::MailMessage {
        let link = invite_link(base, token);
        let first_name = invite.first_name.clone().unwrap_or_else(|| "there".into());
        let valid_for = lifetime_words(invite.expires_at - invite.status_updated_at);
        self.templates
            .render(
                Kind::Invitation,
                &[
                    ("environment_name", &settings.environment_name),
                    ("tenant_name", &tenant.name),
                    ("inviter_name", inviter_name),
                    ("first_name", &first_name),
                    ("link", &link),
                    ("valid_for", &valid_for),
                ],
            )
            .await
            .to(invite.email.as_str(), self.clock.now())
    }

    /// An invitation the principal may resend, cancel or change: the service account any; a
    /// user token one of its tenant's whose roles it may hand out itself.
    async fn manageable_invite(
        &self,
        principal: &Principal,
        id: &str,
    ) -> PlatformResult<UserInvite> {
        let invite = self.visible_invite(principal, id).await?;
        if let Principal::User { id: caller, .. } = principal {
            let roles = self.store.roles_of_users(&[*caller]).await?;
            let allowed: BTreeSet<&String> = roles
                .get(caller)
                .into_iter()
                .flatten()
                .flat_map(|r| r.invite_role_keys.iter())
                .collect();
            if allowed.is_empty() || invite.role_keys.iter().any(|k| !allowed.contains(k)) {
                return Err(PlatformError::Forbidden(
                    "a user token may only manage invitations with roles its own roles may invite"
                        .into(),
                ));
            }
        }
        Ok(invite)
    }

    /// An invitation the principal may see.
    async fn visible_invite(&self, principal: &Principal, id: &str) -> PlatformResult<UserInvite> {
        let invite = self
            .store
            .invite(id.trim())
            .await?
            .filter(|i| {
                principal
                    .tenant_scope()
                    .is_none_or(|own| own == i.tenant_id)
            })
            .ok_or_else(|| PlatformError::InviteNotFound(id.to_owned()))?;
        Ok(invite.as_of(self.clock.now()))
    }

    pub async fn invite(&self, principal: &Principal, id: &str) -> PlatformResult<UserInvite> {
        self.visible_invite(principal, id).await
    }

    pub async fn invites(
        &self,
        principal: &Principal,
        mut query: InviteQuery,
    ) -> PlatformResult<Page<UserInvite>> {
        if let Some((_, value)) = &query.search {
            validate::text("search.value", value)?;
        }
        query.tenant_scope = principal.tenant_scope();
        let now = self.clock.now();
        let mut page = self.store.list_invites(&query, now).await?;
        page.data = page.data.into_iter().map(|i| i.as_of(now)).collect();
        Ok(page)
    }

    /// Sends a pending (or expired) invitation again with a new link; the old link stops
    /// working, and the new one works for the full lifetime.
    #[tracing::instrument(skip_all, fields(invite = %id))]
    pub async fn resend_invite(
        &self,
        principal: &Principal,
        id: &str,
        host: Option<&str>,
    ) -> PlatformResult<UserInvite> {
        let invite = self.manageable_invite(principal, id).await?;
        closed(&invite)?;
        let base = self.link_base(host)?;
        let settings = self.auth_settings().await?;
        let inviter = self.inviter_name(&invite, &settings).await?;
        let tenant = self
            .store
            .tenant(invite.tenant_id)
            .await?
            .ok_or_else(|| PlatformError::TenantNotFound(invite.tenant_id.to_string()))?;
        let now = self.clock.now();
        let renewed = UserInvite {
            user_token_id: uuid::Uuid::new_v4().to_string(),
            expires_at: now + Duration::seconds(settings.invite_lifetime),
            status_updated_at: now,
            ..invite.clone()
        };
        let token = random_secret()?;
        let mail = self
            .invite_mail(&renewed, &inviter, &tenant, &settings, &base, &token)
            .await;
        let stored = self
            .store
            .renew_invite(
                &invite.id,
                &digest(&token),
                &renewed.user_token_id,
                renewed.expires_at,
                &mail,
                now,
            )
            .await?;
        match stored {
            Some(invite) => {
                tracing::info!("invitation resent; the earlier link no longer works");
                Ok(invite.as_of(now))
            }
            None => Err(self.why_closed(&invite.id).await),
        }
    }

    #[tracing::instrument(skip_all, fields(invite = %id))]
    pub async fn cancel_invite(
        &self,
        principal: &Principal,
        id: &str,
    ) -> PlatformResult<UserInvite> {
        let invite = self.manageable_invite(principal, id).await?;
        closed(&invite)?;
        match self
            .store
            .cancel_invite(&invite.id, self.clock.now())
            .await?
        {
            Some(invite) => {
                tracing::info!("invitation canceled");
                Ok(invite)
            }
            None => Err(self.why_closed(&invite.id).await),
        }
    }

    pub async fn update_invite(
        &self,
        principal: &Principal,
        id: &str,
        update: InviteUpdate,
    ) -> PlatformResult<UserInvite> {
        let invite = self.manageable_invite(principal, id).await?;
        closed(&invite)?;
        let update = InviteUpdate {
            first_name: validate::optional_text("firstName", update.first_name)?,
            last_name: validate::optional_text("lastName", update.last_name)?,
            locale: validate::optional_text("locale", update.locale)?,
            data: update.data.map(validate::custom_data).transpose()?,
        };
        let now = self.clock.now();
        match self.store.update_invite(&invite.id, &update, now).await? {
            Some(invite) => Ok(invite.as_of(now)),
            None => Err(self.why_closed(&invite.id).await),
        }
    }

    async fn why_closed(&self, id: &str) -> PlatformError {
        match self.store.invite(id).await {
            Ok(Some(invite)) => closed(&invite).err().unwrap_or_else(|| {
                PlatformError::InviteClosed("the invitation changed meanwhile; try again".into())
            }),
            Ok(None) => PlatformError::InviteNotFound(id.to_owned()),
            Err(err) => err.into(),
        }
    }

    /// Who the invitation's mail and page say invited: the user, or (for a Console admin's
    /// invitation) the environment.
    async fn inviter_name(
        &self,
        invite: &UserInvite,
        settings: &crate::domain::auth::AuthSettings,
    ) -> PlatformResult<String> {
        Ok(match invite.created_by_user_id {
            Some(id) => match self.store.user(id).await? {
                Some(user) => display_name(&user),
                None => String::new(),
            },
            None => settings.environment_name.clone(),
        })
    }

    /// Invites people from the Console: `admin` (an admin's email) into `tenant_id` with
    /// `role_keys`; each of `people` is (email, first name, last name).
    #[tracing::instrument(skip_all, fields(count = people.len()))]
    pub async fn console_invite(
        &self,
        admin: &str,
        tenant_id: &str,
        role_keys: Vec<String>,
        people: Vec<(String, Option<String>, Option<String>)>,
        host: Option<&str>,
    ) -> PlatformResult<InviteResults> {
        if people.is_empty() || people.len() > MAX_INVITES_PER_REQUEST {
            return Err(PlatformError::InvalidInput(format!(
                "invite 1 to {MAX_INVITES_PER_REQUEST} people at once, not {}",
                people.len()
            )));
        }
        let base = self.link_base(host)?;
        let settings = self.auth_settings().await?;
        let tenant = self
            .invite_tenant(&Principal::ServiceAccount, Some(tenant_id))
            .await?;
        let inviter = Inviter {
            user: None,
            admin: Some(admin.to_owned()),
            name: settings.environment_name.clone(),
            may_invite: None,
        };
        let mut results = InviteResults::default();
        for (email, first_name, last_name) in people {
            let new = NewInvite {
                email: email.clone(),
                first_name: first_name.clone(),
                last_name: last_name.clone(),
                role_keys: role_keys.clone(),
                ..NewInvite::default()
            };
            match self
                .send_one(new, &inviter, &tenant, &settings, &base)
                .await
            {
                Ok(invite) => results.sent.push(invite),
                Err(err @ PlatformError::Internal(_)) => return Err(err),
                Err(err) => results.failed.push(InviteFailure {
                    email,
                    first_name,
                    last_name,
                    code: err.code(),
                    message: err.public_message(),
                }),
            }
        }
        Ok(results)
    }

    /// The invitation behind a link, as the accept page shows it; `None` for a link that is
    /// not (any more) an invitation's — never issued, or replaced by a resend.
    pub async fn invite_for_link(&self, token: &str) -> PlatformResult<Option<InviteView>> {
        let Some(invite) = self.store.invite_by_token(&digest(token.trim())).await? else {
            return Ok(None);
        };
        let settings = self.auth_settings().await?;
        let tenant_name = match self.store.tenant(invite.tenant_id).await? {
            Some(tenant) => tenant.name,
            None => String::new(),
        };
        let inviter_name = self.inviter_name(&invite, &settings).await?;
        Ok(Some(InviteView {
            invite: invite.as_of(self.clock.now()),
            tenant_name,
            inviter_name,
            environment_name: settings.environment_name,
        }))
    }

    /// Accepts an invitation from the hosted page: creates the user (names and password from
    /// the form; tenant, roles, email and locale from the invitation) and spends the link.
    #[tracing::instrument(skip_all)]
    pub async fn accept_invite(&self, token: &str, form: Acceptance) -> PlatformResult<User> {
        let first_name = required_name("firstName", &form.first_name)?;
        let last_name = required_name("lastName", &form.last_name)?;
        let password = Password::parse(&form.password)?;
        let view = self.acceptable(token).await?;
        let hash = password::hash(password).await?;
        self.create_invited(token, view, Some(first_name), Some(last_name), Some(&hash))
            .await
    }

    /// `acceptUserInvite(V2)`: the service account accepts on the person's behalf (the app
    /// runs its own page); the user is created without a password (they set one by a reset).
    #[tracing::instrument(skip_all)]
    pub async fn accept_invite_for(
        &self,
        principal: &Principal,
        token: &str,
    ) -> PlatformResult<UserInvite> {
        principal.require_service_account("acceptUserInvite")?;
        let view = self.acceptable(token).await?;
        let (first, last) = (
            view.invite.first_name.clone(),
            view.invite.last_name.clone(),
        );
        let id = view.invite.id.clone();
        self.create_invited(token, view, first, last, None).await?;
        self.visible_invite(principal, &id).await
    }

    /// The invitation behind a link if it can still be accepted; a clear refusal otherwise.
    async fn acceptable(&self, token: &str) -> PlatformResult<InviteView> {
        let view = self.invite_for_link(token).await?.ok_or_else(|| {
            PlatformError::InvalidGrant(
                "this invitation link is not valid: it may have been replaced by a newer invitation; ask for a new one".into(),
            )
        })?;
        if view.invite.status == InviteStatus::Expired {
            return Err(PlatformError::InvalidGrant(
                "this invitation has expired; ask the person who invited you to send it again"
                    .into(),
            ));
        }
        closed(&view.invite)?;
        Ok(view)
    }

    async fn create_invited(
        &self,
        token: &str,
        view: InviteView,
        first_name: Option<String>,
        last_name: Option<String>,
        password_hash: Option<&str>,
    ) -> PlatformResult<User> {
        let invite = view.invite;
        if self.store.user_by_email(&invite.email).await?.is_some() {
            return Err(PlatformError::DuplicateEmail);
        }
        let roles = self.roles_for_keys(&invite.role_keys).await?;
        let role_ids: Vec<RoleId> = roles.iter().map(|r| r.id).collect();
        let now = self.clock.now();
        let id = UserId::new();
        let user = User {
            id,
            reference: id.to_string(),
            email: invite.email.clone(),
            first_name,
            last_name,
            phone: None,
            locale: invite.locale.clone(),
            timezone: None,
            avatar_url: None,
            active: true,
            is_opted_in: false,
            opted_in_at: None,
            custom_data: None,
            two_factor_enabled: false,
            synced: false,
            tenant_id: invite.tenant_id,
            token_generation: 0,
            created_at: now,
            updated_at: now,
        };
        let settings = self.auth_settings().await?;
        let welcome = self
            .templates
            .render(
                Kind::Welcome,
                &[
                    ("environment_name", &settings.environment_name),
                    ("tenant_name", &view.tenant_name),
                    ("first_name", user.first_name.as_deref().unwrap_or("there")),
                    ("link", &self.app_url(&settings)),
                ],
            )
            .await
            .to(user.email.as_str(), now);
        let accepted = self
            .store
            .accept_invite(
                &digest(token.trim()),
                &user,
                password_hash,
                &role_ids,
                Some(&welcome),
                now,
            )
            .await?;
        if accepted.is_none() {
            // Someone else used the link, or it was canceled, between our check and our write.
            return Err(PlatformError::InviteClosed(
                "this invitation was just accepted or canceled; log in, or ask for a new one"
                    .into(),
            ));
        }
        tracing::info!(user = %user.id, tenant = %user.tenant_id, invite = %invite.id, "invitation accepted");
        Ok(user)
    }

    /// Where the app lives, for "continue" links: the first registered redirect URI's origin.
    pub fn app_url(&self, settings: &crate::domain::auth::AuthSettings) -> String {
        settings
            .redirect_uris
            .iter()
            .find_map(|u| url::Url::parse(u).ok())
            .map(|u| u.origin().ascii_serialization() + "/")
            .unwrap_or_else(|| self.issuer(None) + "/")
    }
}

/// The hosted page's address for an invitation token.
pub fn invite_link(base: &str, token: &str) -> String {
    let token: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
    format!("{base}/authorize/invite?token={token}")
}

/// Refuses an invitation that was accepted or canceled.
fn closed(invite: &UserInvite) -> PlatformResult<()> {
    match invite.status {
        InviteStatus::Accepted => Err(PlatformError::InviteClosed(
            "this invitation was already accepted; log in with the account it created".into(),
        )),
        InviteStatus::Canceled => Err(PlatformError::InviteClosed(
            "this invitation was canceled; ask the person who invited you for a new one".into(),
        )),
        InviteStatus::Pending | InviteStatus::Expired => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_read_as_people_say_them() {
        assert_eq!(lifetime_words(Duration::days(7)), "7 days");
        assert_eq!(lifetime_words(Duration::hours(36)), "36 hours");
        assert_eq!(lifetime_words(Duration::hours(1)), "1 hour");
        assert_eq!(lifetime_words(Duration::minutes(30)), "30 minutes");
    }
}
