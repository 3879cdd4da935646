"""Seed the "A Lot or a Little?" categories and what each of their levels means."""

from django.db import migrations

CATEGORIES = [
    (
        "educational-value",
        "Educational Value",
        "positive",
        "What kids can learn: facts, skills, history, science, or ways of thinking.",
        [
            "Nothing to learn here; it is entertainment only.",
            "A stray fact or skill, easy to miss.",
            "A few ideas kids can pick up along the way.",
            "Clear lessons that are part of the story.",
            "Learning is central and well explained.",
            "Built to teach, and it does so very well.",
        ],
    ),
    (
        "positive-messages",
        "Positive Messages",
        "positive",
        "The values the story leaves behind: kindness, honesty, courage, teamwork.",
        [
            "No positive messages, or the messages are harmful.",
            "A faint upside that the story does little with.",
            "Some good messages, mixed with ones that need talking about.",
            "Clear, positive messages that most families will welcome.",
            "Strong messages that drive the whole story.",
            "Inspiring messages that stay with kids long after the credits.",
        ],
    ),
    (
        "positive-role-models",
        "Positive Role Models",
        "positive",
        "Characters kids could look up to, and how they behave under pressure.",
        [
            "No one worth imitating.",
            "Characters are mostly selfish or cruel, with rare good moments.",
            "Flawed characters who sometimes choose well.",
            "Characters who mostly do the right thing and learn from mistakes.",
            "Admirable characters with real, believable virtues.",
            "Outstanding role models kids will want to be like.",
        ],
    ),
    (
        "diverse-representations",
        "Diverse Representations",
        "positive",
        "Who is on screen and behind the camera, and whether they are shown with depth "
        "and without stereotypes.",
        [
            "A narrow cast, or stereotypes played for laughs.",
            "Little diversity, and some stereotyping.",
            "Some diversity, though mostly on the sidelines.",
            "A varied cast with meaningful roles.",
            "Rich, specific representation in front of and behind the camera.",
            "Representation that is central, nuanced and groundbreaking.",
        ],
    ),
    (
        "violence-scariness",
        "Violence & Scariness",
        "concern",
        "Fighting, weapons, injury, peril, and frightening images, sounds or suspense.",
        [
            "Nothing violent or frightening.",
            "Mild peril or slapstick; over quickly.",
            "Some tense or scary moments, or fighting without injury shown.",
            "Frequent peril, or violence with some injury; may frighten young kids.",
            "Intense, realistic violence or sustained terror; blood and injury shown.",
            "Graphic, disturbing violence or horror throughout.",
        ],
    ),
    (
        "sex-romance-nudity",
        "Sex, Romance & Nudity",
        "concern",
        "Kissing, romance, sexual references and situations, and nudity.",
        [
            "None.",
            "Hand-holding, a hug or a brief kiss.",
            "Kissing, flirting, or mild innuendo.",
            "Sexual references or situations, without explicit nudity.",
            "Sex scenes or partial nudity.",
            "Explicit sex or full nudity.",
        ],
    ),
    (
        "language",
        "Language",
        "concern",
        "Swearing, insults, slurs and crude words.",
        [
            "No bad language.",
            'Mild words like "stupid" or "shut up".',
            'Occasional mild swearing ("hell", "damn").',
            "Some strong language, used now and then.",
            "Frequent strong language, including the f-word.",
            "Constant profanity or hateful slurs.",
        ],
    ),
    (
        "products-purchases",
        "Products & Purchases",
        "concern",
        "Brands, product placement, and tie-in merchandise aimed at kids.",
        [
            "No products or brands.",
            "A brand or two in the background.",
            "Noticeable brands, or a franchise with toys.",
            "Repeated product placement.",
            "Prominent placement, or a story built to sell toys and games.",
            "Essentially an advertisement.",
        ],
    ),
    (
        "drinking-drugs-smoking",
        "Drinking, Drugs & Smoking",
        "concern",
        "Alcohol, drugs, prescription misuse and tobacco, and how they are portrayed.",
        [
            "None.",
            "Adults drink in the background.",
            "Drinking or smoking shown briefly, without glamour.",
            "Drug use, drunkenness or misuse of medicine shown or discussed.",
            "Frequent or glamorised drinking or drug use, including by teens.",
            "Heavy drug use at the centre of the story.",
        ],
    ),
]


def seed(apps, schema_editor):
    ContentCategory = apps.get_model("ratings", "ContentCategory")
    LevelMeaning = apps.get_model("ratings", "LevelMeaning")
    for order, (slug, name, kind, description, meanings) in enumerate(CATEGORIES, start=1):
        category, _ = ContentCategory.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "kind": kind, "description": description, "order": order},
        )
        for level, meaning in enumerate(meanings):
            LevelMeaning.objects.update_or_create(
                category=category, level=level, defaults={"meaning": meaning}
            )


def unseed(apps, schema_editor):
    ContentCategory = apps.get_model("ratings", "ContentCategory")
    ContentCategory.objects.filter(slug__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("ratings", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
