//! The categorical vocabulary shared by the generators.

use serde::{Deserialize, Serialize};

/// Defines a closed set of labels with a `label()` used in the written files.
macro_rules! labelled_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $label:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The label written to sample files.
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

labelled_enum!(
    /// The size class of a customer account.
    CustomerSegment {
        /// Small and medium business.
        Smb => "SMB",
        /// Mid-market.
        MidMarket => "Mid-Market",
        /// Enterprise.
        Enterprise => "Enterprise",
    }
);

labelled_enum!(
    /// A sales region.
    Region {
        /// North America.
        NorthAmerica => "NA",
        /// Europe, Middle East and Africa.
        Emea => "EMEA",
        /// Asia-Pacific.
        Apac => "APAC",
        /// Latin America.
        Latam => "LATAM",
    }
);

labelled_enum!(
    /// A subscription plan.
    Plan {
        /// Free tier (no revenue).
        Free => "Free",
        /// Entry paid tier.
        Starter => "Starter",
        /// Main paid tier.
        Pro => "Pro",
        /// Contracted enterprise tier.
        Enterprise => "Enterprise",
    }
);

labelled_enum!(
    /// Where a piece of feedback came from.
    Channel {
        /// A free-text comment attached to an NPS survey answer.
        SurveyComment => "survey_comment",
        /// A support ticket.
        SupportTicket => "support_ticket",
        /// An app-store review with a 1–5 star rating.
        AppReview => "app_review",
        /// A public social-media post.
        SocialPost => "social_post",
    }
);

labelled_enum!(
    /// The sentiment a feedback text was written with (the generator's ground truth).
    Sentiment {
        /// Negative.
        Negative => "negative",
        /// Neutral or mixed.
        Neutral => "neutral",
        /// Positive.
        Positive => "positive",
    }
);

labelled_enum!(
    /// A product theme that feedback talks about (the generator's ground truth).
    Theme {
        /// Speed and responsiveness.
        Performance => "performance",
        /// Crashes, outages and bugs.
        Reliability => "reliability",
        /// Price and value for money.
        Pricing => "pricing",
        /// First-run experience and setup.
        Onboarding => "onboarding",
        /// Connections to other tools.
        Integrations => "integrations",
        /// Dashboards, exports and reports.
        Reporting => "reporting",
        /// The mobile app.
        MobileApp => "mobile_app",
        /// The support team.
        Support => "support",
        /// Invoices and charges.
        Billing => "billing",
        /// Requests for something the product does not do yet.
        FeatureRequest => "feature_request",
    }
);

labelled_enum!(
    /// A kind of personal data planted in feedback text (the generator's ground truth).
    PiiKind {
        /// An e-mail address.
        Email => "email",
        /// A phone number.
        Phone => "phone",
        /// A payment card number that passes the Luhn check.
        CardNumber => "card_number",
    }
);
