//! Profiles, their per-field visibility, and the shared tag vocabulary.

use alumni_core::moderation::ModerationState;
use alumni_core::search;
use async_graphql::{InputObject, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use alumni_core::MemberId;

use crate::model::CompanyId;
use crate::schema::membership::{profiles, tag_aliases, tags};

alumni_core::text_enum! {
    /// Who may see a profile field. The member chooses per field.
    pub enum Visibility stored in
        "membership.profiles.former_surnames_visibility",
        "membership.profiles.current_work_visibility",
        "membership.profiles.prefecture_visibility",
        "membership.profiles.bio_visibility",
        "membership.profiles.skills_visibility",
        "membership.profiles.interests_visibility",
        "membership.profiles.links_visibility",
        "membership.profiles.employment_visibility"
    {
        /// Only the member.
        Private = "PRIVATE",
        /// The member and the secretariat.
        Secretariat = "SECRETARIAT",
        /// Every signed-in member (and the secretariat).
        Members = "MEMBERS",
    }
}

/// How a viewer stands towards one member's profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The member themselves: sees everything.
    Owner,
    /// The secretariat: sees `SECRETARIAT` and `MEMBERS` fields.
    Secretariat,
    /// Any other signed-in member, analysts included: sees `MEMBERS` fields.
    Member,
}

impl Audience {
    /// The visibilities this audience may read, for filtering in SQL.
    pub fn readable(self) -> &'static [Visibility] {
        match self {
            Audience::Owner => &[
                Visibility::Private,
                Visibility::Secretariat,
                Visibility::Members,
            ],
            Audience::Secretariat => &[Visibility::Secretariat, Visibility::Members],
            Audience::Member => &[Visibility::Members],
        }
    }

    /// Whether this audience may read a field set to `visibility`.
    pub fn can_read(self, visibility: Visibility) -> bool {
        self.readable().contains(&visibility)
    }
}

alumni_core::text_enum! {
    /// What a member would like to do with other members.
    pub enum Interest stored in "membership.profiles.interests" {
        /// Mentor younger engineers or be mentored.
        Mentoring = "MENTORING",
        /// Give talks, e.g. to current employees.
        Speaking = "SPEAKING",
        /// Work together on business or technical collaborations.
        Collaboration = "COLLABORATION",
        /// Hire, or be introduced to people who hire.
        Hiring = "HIRING",
        /// Build things together after hours.
        SideProjects = "SIDE_PROJECTS",
        /// Join or run study sessions (勉強会).
        StudySessions = "STUDY_SESSIONS",
    }
}

alumni_core::text_enum! {
    /// Where a member lives: one of Japan's 47 prefectures, or abroad.
    pub enum Prefecture stored in "membership.profiles.prefecture" {
        /// 北海道
        Hokkaido = "HOKKAIDO",
        /// 青森県
        Aomori = "AOMORI",
        /// 岩手県
        Iwate = "IWATE",
        /// 宮城県
        Miyagi = "MIYAGI",
        /// 秋田県
        Akita = "AKITA",
        /// 山形県
        Yamagata = "YAMAGATA",
        /// 福島県
        Fukushima = "FUKUSHIMA",
        /// 茨城県
        Ibaraki = "IBARAKI",
        /// 栃木県
        Tochigi = "TOCHIGI",
        /// 群馬県
        Gunma = "GUNMA",
        /// 埼玉県
        Saitama = "SAITAMA",
        /// 千葉県
        Chiba = "CHIBA",
        /// 東京都
        Tokyo = "TOKYO",
        /// 神奈川県
        Kanagawa = "KANAGAWA",
        /// 新潟県
        Niigata = "NIIGATA",
        /// 富山県
        Toyama = "TOYAMA",
        /// 石川県
        Ishikawa = "ISHIKAWA",
        /// 福井県
        Fukui = "FUKUI",
        /// 山梨県
        Yamanashi = "YAMANASHI",
        /// 長野県
        Nagano = "NAGANO",
        /// 岐阜県
        Gifu = "GIFU",
        /// 静岡県
        Shizuoka = "SHIZUOKA",
        /// 愛知県
        Aichi = "AICHI",
        /// 三重県
        Mie = "MIE",
        /// 滋賀県
        Shiga = "SHIGA",
        /// 京都府
        Kyoto = "KYOTO",
        /// 大阪府
        Osaka = "OSAKA",
        /// 兵庫県
        Hyogo = "HYOGO",
        /// 奈良県
        Nara = "NARA",
        /// 和歌山県
        Wakayama = "WAKAYAMA",
        /// 鳥取県
        Tottori = "TOTTORI",
        /// 島根県
        Shimane = "SHIMANE",
        /// 岡山県
        Okayama = "OKAYAMA",
        /// 広島県
        Hiroshima = "HIROSHIMA",
        /// 山口県
        Yamaguchi = "YAMAGUCHI",
        /// 徳島県
        Tokushima = "TOKUSHIMA",
        /// 香川県
        Kagawa = "KAGAWA",
        /// 愛媛県
        Ehime = "EHIME",
        /// 高知県
        Kochi = "KOCHI",
        /// 福岡県
        Fukuoka = "FUKUOKA",
        /// 佐賀県
        Saga = "SAGA",
        /// 長崎県
        Nagasaki = "NAGASAKI",
        /// 熊本県
        Kumamoto = "KUMAMOTO",
        /// 大分県
        Oita = "OITA",
        /// 宮崎県
        Miyazaki = "MIYAZAKI",
        /// 鹿児島県
        Kagoshima = "KAGOSHIMA",
        /// 沖縄県
        Okinawa = "OKINAWA",
        /// Outside Japan (海外).
        Overseas = "OVERSEAS",
    }
}

/// A link on a profile: a blog, a repository, a social account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, SimpleObject, InputObject)]
#[graphql(input_name = "ProfileLinkInput")]
pub struct ProfileLink {
    /// What the link is, e.g. "GitHub" or "ブログ".
    pub label: String,
    /// Where it points (http or https).
    pub url: String,
}

/// A profile as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = profiles)]
pub struct ProfileRecord {
    /// Whose profile.
    pub member_id: MemberId,
    /// Name shown to other members.
    pub display_name: String,
    /// Reading of the name.
    pub display_name_kana: String,
    /// Normalised reading, the directory's sort key.
    pub sort_key: String,
    /// Surnames used before.
    pub former_surnames: Vec<Option<String>>,
    /// Who sees the former surnames.
    pub former_surnames_visibility: Visibility,
    /// Where the member works now.
    pub current_company: String,
    /// Their title there.
    pub current_title: String,
    /// Who sees company and title.
    pub current_work_visibility: Visibility,
    /// Where they live.
    pub prefecture: Option<Prefecture>,
    /// Who sees the prefecture.
    pub prefecture_visibility: Visibility,
    /// Free text about themselves.
    pub bio: String,
    /// Who sees the bio.
    pub bio_visibility: Visibility,
    /// Who sees the skills.
    pub skills_visibility: Visibility,
    /// What they would like to do with other members.
    pub interests: Vec<Option<Interest>>,
    /// Who sees the interests.
    pub interests_visibility: Visibility,
    /// Links, as JSON.
    pub links: serde_json::Value,
    /// Who sees the links.
    pub links_visibility: Visibility,
    /// The company (or predecessor) they left.
    pub company_id: Option<CompanyId>,
    /// First day there.
    pub joined_on: Option<NaiveDate>,
    /// Last day there.
    pub left_on: Option<NaiveDate>,
    /// Last department there.
    pub last_department: String,
    /// Who sees the career at the company.
    pub employment_visibility: Visibility,
    /// Privately open to returning (member and secretariat only).
    pub open_to_returning: bool,
    /// Whether the member appears in the directory.
    pub listed_in_directory: bool,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Whether the bio and links are shown to others (the leak guard or a
    /// moderator may withhold them).
    pub moderation: ModerationState,
}

impl ProfileRecord {
    /// The stored links; malformed JSON reads as no links.
    pub fn links(&self) -> Vec<ProfileLink> {
        serde_json::from_value(self.links.clone()).unwrap_or_default()
    }
}

/// The columns derived from a profile's names, for sorting and search.
#[derive(Debug, Clone, AsChangeset, Insertable)]
#[diesel(table_name = profiles)]
pub struct NameIndex {
    /// Normalised reading, the directory's sort key.
    pub sort_key: String,
    /// Name, reading and romaji, normalised.
    pub name_text: String,
    /// Their grams.
    pub name_grams: Vec<String>,
    /// Former surnames, normalised.
    pub former_text: String,
    /// Their grams.
    pub former_grams: Vec<String>,
}

impl NameIndex {
    /// Derives the columns from the names.
    pub fn new(display_name: &str, display_name_kana: &str, former_surnames: &[String]) -> Self {
        let romaji = search::romaji(display_name_kana);
        let names = [display_name, display_name_kana, romaji.as_str()];
        Self {
            sort_key: search::normalize(display_name_kana),
            name_text: search::index_text(names),
            name_grams: search::index_grams(names),
            former_text: search::index_text(former_surnames.iter().map(String::as_str)),
            former_grams: search::index_grams(former_surnames.iter().map(String::as_str)),
        }
    }
}

/// A new profile, created when an application is approved.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = profiles)]
pub struct NewProfile {
    /// Whose profile.
    pub member_id: MemberId,
    /// Name shown to other members.
    pub display_name: String,
    /// Reading of the name.
    pub display_name_kana: String,
    /// Surnames used before.
    pub former_surnames: Vec<String>,
    /// The company left.
    pub company_id: Option<CompanyId>,
    /// First day there.
    pub joined_on: Option<NaiveDate>,
    /// Last day there.
    pub left_on: Option<NaiveDate>,
    /// Last department there.
    pub last_department: String,
    /// Normalised reading.
    pub sort_key: String,
    /// Searchable names.
    pub name_text: String,
    /// Their grams.
    pub name_grams: Vec<String>,
    /// Searchable former surnames.
    pub former_text: String,
    /// Their grams.
    pub former_grams: Vec<String>,
    /// Creation time.
    pub updated_at: DateTime<Utc>,
}

impl NewProfile {
    /// A profile with a name, its reading and former surnames, and every
    /// other field at its default; the verified career is filled in by the
    /// caller where known.
    pub fn new(
        member_id: MemberId,
        display_name: &str,
        kana: &str,
        former_surnames: Vec<String>,
        now: DateTime<Utc>,
    ) -> Self {
        let names = NameIndex::new(display_name, kana, &former_surnames);
        Self {
            member_id,
            display_name: display_name.to_owned(),
            display_name_kana: kana.to_owned(),
            former_surnames,
            company_id: None,
            joined_on: None,
            left_on: None,
            last_department: String::new(),
            sort_key: names.sort_key,
            name_text: names.name_text,
            name_grams: names.name_grams,
            former_text: names.former_text,
            former_grams: names.former_grams,
            updated_at: now,
        }
    }
}

/// A profile with every column given, for bulk loads (`alumni seed
/// --synthetic`), where creating and then updating each row would double
/// the work.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = profiles)]
pub struct CompleteProfile {
    /// Whose profile.
    pub member_id: MemberId,
    /// Name shown to other members.
    pub display_name: String,
    /// Reading of the name.
    pub display_name_kana: String,
    /// Surnames used before.
    pub former_surnames: Vec<String>,
    /// Who sees the former surnames.
    pub former_surnames_visibility: Visibility,
    /// Where the member works now.
    pub current_company: String,
    /// Their title there.
    pub current_title: String,
    /// Who sees company and title.
    pub current_work_visibility: Visibility,
    /// Where they live.
    pub prefecture: Option<Prefecture>,
    /// Who sees the prefecture.
    pub prefecture_visibility: Visibility,
    /// Free text about themselves.
    pub bio: String,
    /// Who sees the bio.
    pub bio_visibility: Visibility,
    /// Who sees the skills.
    pub skills_visibility: Visibility,
    /// What they would like to do with other members.
    pub interests: Vec<Interest>,
    /// Who sees the interests.
    pub interests_visibility: Visibility,
    /// Links, as JSON.
    pub links: serde_json::Value,
    /// Who sees the links.
    pub links_visibility: Visibility,
    /// The company (or predecessor) they left.
    pub company_id: Option<CompanyId>,
    /// First day there.
    pub joined_on: Option<NaiveDate>,
    /// Last day there.
    pub left_on: Option<NaiveDate>,
    /// Last department there.
    pub last_department: String,
    /// Who sees the career at the company.
    pub employment_visibility: Visibility,
    /// Privately open to returning.
    pub open_to_returning: bool,
    /// Whether the member appears in the directory.
    pub listed_in_directory: bool,
    /// The columns derived from the names.
    #[diesel(embed)]
    pub names: NameIndex,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// Changes a member makes to their profile; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = profiles)]
pub struct ProfileChanges {
    /// Name shown to other members.
    pub display_name: Option<String>,
    /// Reading of the name.
    pub display_name_kana: Option<String>,
    /// Surnames used before.
    pub former_surnames: Option<Vec<String>>,
    /// Who sees the former surnames.
    pub former_surnames_visibility: Option<Visibility>,
    /// Where the member works now.
    pub current_company: Option<String>,
    /// Their title there.
    pub current_title: Option<String>,
    /// Who sees company and title.
    pub current_work_visibility: Option<Visibility>,
    /// Where they live (`Some(None)` clears it).
    pub prefecture: Option<Option<Prefecture>>,
    /// Who sees the prefecture.
    pub prefecture_visibility: Option<Visibility>,
    /// Free text.
    pub bio: Option<String>,
    /// Who sees the bio.
    pub bio_visibility: Option<Visibility>,
    /// Who sees the skills.
    pub skills_visibility: Option<Visibility>,
    /// Interests.
    pub interests: Option<Vec<Interest>>,
    /// Who sees the interests.
    pub interests_visibility: Option<Visibility>,
    /// Links, as JSON.
    pub links: Option<serde_json::Value>,
    /// Who sees the links.
    pub links_visibility: Option<Visibility>,
    /// Who sees the career at the company.
    pub employment_visibility: Option<Visibility>,
    /// Privately open to returning.
    pub open_to_returning: Option<bool>,
    /// Whether to appear in the directory.
    pub listed_in_directory: Option<bool>,
    /// Time of the change.
    pub updated_at: Option<DateTime<Utc>>,
    /// Whether the bio and links are shown to others.
    pub moderation: Option<ModerationState>,
}

alumni_core::typed_id!(
    /// Identifies a tag of the shared vocabulary.
    TagId,
    "Tag"
);

/// A tag of the shared vocabulary (skills, article topics).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = tags)]
pub struct TagRecord {
    /// Tag id.
    pub id: TagId,
    /// Normalised name; unique among tags and aliases.
    pub slug: String,
    /// Name as first written, or as the secretariat renamed it.
    pub name: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Japanese label the secretariat gave it.
    pub label_ja: Option<String>,
    /// English label the secretariat gave it.
    pub label_en: Option<String>,
}

/// Another name of a tag (a synonym in any script, or a name it had before
/// a rename or merge): its slug resolves to the tag.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = tag_aliases)]
pub struct TagAliasRecord {
    /// Normalised name; unique among tags and aliases.
    pub slug: String,
    /// The tag it names.
    pub tag_id: TagId,
    /// As written, e.g. "k8s" or "クバネティス".
    pub name: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}
