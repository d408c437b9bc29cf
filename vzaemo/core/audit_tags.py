"""The registry of audit tags: every `audit.record(..., tag=...)` names one of these (docs/design.md rule 5).

One list, so a reader of the public audit log can look up every tag it may contain, and a typo is a name
error instead of a new kind of entry. A tag is `<entity>:<verb>`, lower case, words joined by `-`; a member's
name is its value in upper snake case (`PETITION_SIGN = "petition:sign"`), which the tests check. The values
are stored in audit entries, covered by the hash chain and shown on the public audit page, so they never
change: a new spelling is a new member, and the old one stays for the entries that carry it.

`house_rules` fails on a tag spelled as a string anywhere else.
"""

from __future__ import annotations

from enum import StrEnum


class AuditTag(StrEnum):
    # petitions
    PETITION_ANSWER = "petition:answer"
    PETITION_ANSWER_OVERDUE = "petition:answer-overdue"
    PETITION_CLOSE = "petition:close"
    PETITION_CONSIDERATION_START = "petition:consideration-start"
    PETITION_CREATE = "petition:create"
    PETITION_EDIT = "petition:edit"
    PETITION_PUBLISH = "petition:publish"
    PETITION_REJECT = "petition:reject"
    PETITION_SIGN = "petition:sign"
    PETITION_SIGNATURE_REMOVE = "petition:signature-remove"
    PETITION_SUBMIT = "petition:submit"
    PETITION_THRESHOLD_REACHED = "petition:threshold-reached"
    # appeals
    APPEAL_ANSWER = "appeal:answer"
    APPEAL_EXTEND = "appeal:extend"
    APPEAL_FORWARD = "appeal:forward"
    APPEAL_RECEIVE = "appeal:receive"
    APPEAL_REFUSE = "appeal:refuse"
    APPEAL_REGISTER = "appeal:register"
    APPEAL_START = "appeal:start"
    APPEAL_SUBMIT = "appeal:submit"
    APPEAL_UNSATISFACTORY = "appeal:unsatisfactory"
    # consultations on draft acts, and the proposals made to them
    CONSULTATION_CLOSE = "consultation:close"
    CONSULTATION_CREATE = "consultation:create"
    CONSULTATION_EDIT = "consultation:edit"
    CONSULTATION_OPEN = "consultation:open"
    CONSULTATION_REPORT = "consultation:report"
    CONSULTATION_SUBSCRIBE = "consultation:subscribe"
    CONSULTATION_UNSUBSCRIBE = "consultation:unsubscribe"
    PROPOSAL_DECIDE = "proposal:decide"
    PROPOSAL_HIDE = "proposal:hide"
    PROPOSAL_SUBMIT = "proposal:submit"
    # accounts: e-mail verification, roles, and the admin screens of users and organisations
    ACCOUNT_AUTHORITY_CHANGE = "account:authority:change"
    ACCOUNT_AUTHORITY_CHANGE_INLINE = "account:authority:change:inline"
    ACCOUNT_CSO_CHANGE = "account:cso:change"
    ACCOUNT_CSO_CHANGE_INLINE = "account:cso:change:inline"
    ACCOUNT_EMAIL_VERIFIED = "account:email:verified"
    ACCOUNT_MEMBERSHIP_CHANGE = "account:membership:change"
    ACCOUNT_MEMBERSHIP_GRANT = "account:membership:grant"
    ACCOUNT_SIGN_UP = "account:sign-up"
    ACCOUNT_USER_CHANGE = "account:user:change"
    # documents
    DOCUMENT_REGISTER = "document:register"
    DOCUMENT_UPLOAD = "document:upload"
    # the kernel's admin screens: working-day calendar and legal rules
    CORE_CALENDAR_CHANGE = "core:calendar:change"
    CORE_RULE_CHANGE = "core:rule:change"
    # other admin screens
    ADMIN_APPEAL = "admin:appeal"
    ADMIN_APPEAL_EVENT = "admin:appeal-event"
    ADMIN_BROKER = "admin:broker"
    ADMIN_CONSULTATION = "admin:consultation"
    ADMIN_CONSULTATION_INLINE = "admin:consultation:inline"
    ADMIN_CONSULTATION_PROPOSAL = "admin:consultation-proposal"
    ADMIN_CONSULTATION_SUBSCRIPTION = "admin:consultation-subscription"
    # the one stop: subscriptions to authorities, regions, topics and items
    SUBSCRIPTION_FOLLOW = "subscription:follow"
    SUBSCRIPTION_FREQUENCY = "subscription:frequency"
    SUBSCRIPTION_UNFOLLOW = "subscription:unfollow"
    SUBSCRIPTION_EMAIL_STOP = "subscription:email-stop"
    # the auction CDB: lots, auctions, bids, awards, contracts, re-auction chains
    AUCTION_LOT_CREATE = "auction-lot:create"
    AUCTION_LOT_EDIT = "auction-lot:edit"
    AUCTION_LOT_PHOTO_ADD = "auction-lot:photo-add"
    AUCTION_LOT_TRANSFER = "auction-lot:transfer"
    AUCTION_LOT_UNSOLD = "auction-lot:unsold"
    AUCTION_AWARD_ACTIVATE = "auction:award-activate"
    AUCTION_AWARD_DEFAULT = "auction:award-default"
    AUCTION_AWARD_DISQUALIFY = "auction:award-disqualify"
    AUCTION_AWARD_WITHDRAW = "auction:award-withdraw"
    AUCTION_BID_CREATE = "auction:bid-create"
    AUCTION_BID_SUBMIT = "auction:bid-submit"
    AUCTION_BID_TRANSFER = "auction:bid-transfer"
    AUCTION_BID_WITHDRAW = "auction:bid-withdraw"
    AUCTION_CANCEL = "auction:cancel"
    AUCTION_CONTRACT_CANCEL = "auction:contract-cancel"
    AUCTION_CONTRACT_SIGN = "auction:contract-sign"
    AUCTION_CREATE = "auction:create"
    AUCTION_EDIT = "auction:edit"
    AUCTION_GUARANTEE_CONFIRM = "auction:guarantee-confirm"
    AUCTION_NEXT_ATTEMPT = "auction:next-attempt"
    AUCTION_PROTOCOL_UPLOAD = "auction:protocol-upload"
    AUCTION_PUBLISH = "auction:publish"
    AUCTION_RESULT = "auction:result"
    AUCTION_SKIP_AUCTION = "auction:skip-auction"
    AUCTION_START = "auction:start"
    AUCTION_TRANSFER = "auction:transfer"
    AUCTION_UNSUCCESSFUL = "auction:unsuccessful"
    # the live auction
    LIVE_BID = "live:bid"
    LIVE_FINISH = "live:finish"
    LIVE_OPEN = "live:open"
    # the broker API: keys (the admin screens, issue, revoke) and owner tokens
    BROKER_API_API_KEY = "broker-api:api-key"
    BROKER_API_API_KEY_ISSUE = "broker-api:api-key:issue"
    BROKER_API_API_KEY_REVOKE = "broker-api:api-key:revoke"
    BROKER_API_INTEGRATION_KEY = "broker-api:integration-key"
    BROKER_API_INTEGRATION_KEY_ISSUE = "broker-api:integration-key:issue"
    BROKER_API_INTEGRATION_KEY_REVOKE = "broker-api:integration-key:revoke"
    BROKER_API_OWNER_TOKEN_ISSUE = "broker-api:owner-token:issue"  # noqa: S105 - a tag, not a secret


def inline(tag: str) -> AuditTag:
    """The tag of a row edited inline in the admin screen of `tag`'s object (memberships of an authority)."""
    return AuditTag(f"{tag}:inline")
