//! Sentence banks for synthetic feedback, by theme and sentiment.
//!
//! Each sentence speaks about exactly one theme with one sentiment, so an item built from them
//! carries known themes and a known overall sentiment for tests of taggers and sentiment models.

use crate::vocab::{Sentiment, Theme};

/// English sentences for `theme` written with `sentiment`.
pub(crate) fn english(theme: Theme, sentiment: Sentiment) -> &'static [&'static str] {
    use Sentiment::{Negative as N, Neutral as U, Positive as P};
    use Theme::*;
    match (theme, sentiment) {
        (Performance, N) => &[
            "The dashboard is painfully slow to load every morning.",
            "Search takes forever and the whole app feels laggy.",
            "Since the last update everything is sluggish and unresponsive.",
        ],
        (Performance, U) => &[
            "Page load times seem about the same as last quarter.",
            "Is there a way to make large projects load faster?",
        ],
        (Performance, P) => &[
            "The new editor is super fast, great work!",
            "Reports load instantly now, love the speed improvements.",
            "Really snappy and responsive even with big workspaces.",
        ],
        (Reliability, N) => &[
            "The app keeps crashing when I upload a file.",
            "We lost an hour of work because of another outage.",
            "Sync is buggy and my changes disappear randomly.",
        ],
        (Reliability, U) => &[
            "We saw a short outage yesterday, is there a status page?",
            "Occasionally a sync error appears but it resolves itself.",
        ],
        (Reliability, P) => &[
            "Rock solid, we have not had a single outage this year.",
            "Very stable platform, it just works.",
        ],
        (Pricing, N) => &[
            "Way too expensive for a small team like ours.",
            "The price increase is outrageous and we are considering alternatives.",
            "Paying per seat makes this unaffordable as we grow.",
        ],
        (Pricing, U) => &[
            "Do you offer a discount for annual billing?",
            "We are comparing plans to see which tier fits our team.",
        ],
        (Pricing, P) => &[
            "Great value for the money compared to other tools.",
            "The free tier is generous and the upgrade was worth it.",
        ],
        (Onboarding, N) => &[
            "Setup was confusing and the docs did not help at all.",
            "Onboarding new teammates is frustrating and takes days.",
        ],
        (Onboarding, U) => &[
            "We just signed up and are still exploring the setup wizard.",
            "Is there a checklist for getting a new workspace started?",
        ],
        (Onboarding, P) => &[
            "Onboarding was smooth, we were productive on day one.",
            "The setup wizard is clear and easy to follow.",
        ],
        (Integrations, N) => &[
            "The Slack integration is broken again.",
            "The Salesforce sync fails constantly and nobody can fix it.",
        ],
        (Integrations, U) => &[
            "Does the API support webhooks for new records?",
            "We connect this to Jira and Slack for our weekly planning.",
        ],
        (Integrations, P) => &[
            "The Slack integration is fantastic and saves us hours.",
            "Love how easily it connects with our other tools.",
        ],
        (Reporting, N) => &[
            "Exporting reports to CSV is broken and the charts are useless.",
            "The reporting is too limited, I cannot build the dashboard I need.",
        ],
        (Reporting, U) => &[
            "Can we schedule a weekly report by email?",
            "We mostly use the dashboards for our monthly review.",
        ],
        (Reporting, P) => &[
            "The new dashboards are beautiful and easy to share.",
            "Custom reports are excellent, our leadership loves them.",
        ],
        (MobileApp, N) => &[
            "The mobile app is unusable on Android and drains my battery.",
            "The iOS app crashes whenever I open a notification.",
            "The mobile app is missing half the features of the web version.",
        ],
        (MobileApp, U) => &[
            "Is offline mode planned for the mobile app?",
            "I mostly check notifications in the mobile app.",
        ],
        (MobileApp, P) => &[
            "The mobile app is great for approving things on the go.",
            "Love the new iPhone app, clean and quick.",
        ],
        (Support, N) => &[
            "Support took a week to answer and did not solve anything.",
            "Terrible support, I was bounced between three agents.",
        ],
        (Support, U) => &[
            "I opened a ticket about access rights and am waiting for an answer.",
            "Who is our account manager now?",
        ],
        (Support, P) => &[
            "Support was amazing and fixed my issue within minutes.",
            "Huge thanks to the support team, very helpful and friendly.",
        ],
        (Billing, N) => &[
            "We were charged twice this month and nobody responds.",
            "The invoice is wrong again and the refund never arrived.",
        ],
        (Billing, U) => &[
            "Please send the invoice to our finance address.",
            "How do I change the billing contact on our account?",
        ],
        (Billing, P) => &[
            "Billing is simple and the invoices are clear.",
            "Thanks for sorting out the refund so quickly.",
        ],
        (FeatureRequest, N) => &[
            "Still no dark mode after years of asking, very disappointing.",
            "We badly need SSO and audit logs, this is a blocker for us.",
        ],
        (FeatureRequest, U) => &[
            "It would be nice to have a dark mode.",
            "Please add bulk editing for tasks.",
            "Could you add single sign-on with Okta?",
        ],
        (FeatureRequest, P) => &[
            "Love the product, dark mode would make it perfect.",
            "Great tool, bulk editing would be the cherry on top.",
        ],
    }
}

/// Non-English sentences, each with its language, theme and sentiment, so language detection
/// and multilingual handling can be tested on known truth.
pub(crate) const FOREIGN: &[(&str, Theme, Sentiment, &str)] = &[
    (
        "es",
        Theme::Performance,
        Sentiment::Negative,
        "La aplicación es muy lenta y se bloquea todo el tiempo.",
    ),
    (
        "es",
        Theme::Support,
        Sentiment::Positive,
        "El equipo de soporte fue excelente y muy rápido.",
    ),
    (
        "es",
        Theme::Pricing,
        Sentiment::Negative,
        "El precio es demasiado alto para nuestro equipo pequeño.",
    ),
    (
        "de",
        Theme::MobileApp,
        Sentiment::Negative,
        "Die mobile App stürzt ständig ab und ist kaum benutzbar.",
    ),
    (
        "de",
        Theme::Reporting,
        Sentiment::Positive,
        "Die neuen Berichte sind großartig und sehr übersichtlich.",
    ),
    (
        "de",
        Theme::Billing,
        Sentiment::Neutral,
        "Bitte senden Sie die Rechnung an unsere Buchhaltung.",
    ),
    (
        "fr",
        Theme::Onboarding,
        Sentiment::Positive,
        "La prise en main a été très simple, merci beaucoup.",
    ),
    (
        "fr",
        Theme::Integrations,
        Sentiment::Negative,
        "L'intégration avec Slack ne fonctionne plus depuis lundi.",
    ),
    (
        "fr",
        Theme::FeatureRequest,
        Sentiment::Neutral,
        "Pourriez-vous ajouter un mode sombre à l'application ?",
    ),
];

/// First names and last names for planted e-mail addresses and sign-offs.
pub(crate) const FIRST_NAMES: [&str; 12] = [
    "alex", "maria", "chen", "fatima", "john", "priya", "lukas", "sofia", "omar", "yuki", "emma",
    "diego",
];
/// Last names for planted e-mail addresses.
pub(crate) const LAST_NAMES: [&str; 10] = [
    "smith", "garcia", "wang", "khan", "mueller", "rossi", "tanaka", "silva", "novak", "brown",
];
/// Mail domains for planted e-mail addresses.
pub(crate) const MAIL_DOMAINS: [&str; 5] = [
    "example.com",
    "mail.example.org",
    "corp.example.net",
    "example.co.uk",
    "inbox.example",
];
