"""Content of the demo campaign: the Saint-Jérôme consultation (Aix-en-Provence).

Built from the real case (see the seed text): 700 letters, 12 residents in two workshops,
about twenty actions retained, then 130 residents online and door to door, 400+ supports,
200 new contributions, a live event with the 7 candidates and a final dossier.

Places, streets, people and candidate lists are fictional. Everything here is data;
``services.demo_load`` turns it into rows through the domain services.
"""

from typing import NamedTuple

SEED = 2026
DEMO_PASSWORD = "concerto-demo"
EMAIL_DOMAIN = "example.org"

ORGANISATION = {
    "slug": "collectif-concerto-aix",
    "name": "Collectif Concerto Aix",
}

CAMPAIGN = {
    "slug": "saint-jerome",
    "name": "Saint-Jérôme, Aix-en-Provence",
    "territory": "Quartier Saint-Jérôme, Aix-en-Provence",
    "description": (
        "Construire avec les habitants un plan d'actions pour améliorer la vie pratique dans le "
        "quartier Saint-Jérôme, puis le présenter en direct aux 7 candidats à la mairie "
        "d'Aix-en-Provence.\n\n"
        "700 courriers ont été distribués dans une partie du quartier. Douze habitants, choisis "
        "parmi les volontaires en fonction de leurs talents, ont participé à deux ateliers : ils ont "
        "raconté la vie quotidienne du quartier et retenu une vingtaine d'actions concrètes, "
        "réalisables pendant le prochain mandat municipal.\n\n"
        "C'est maintenant à vous : soutenez les actions qui vous tiennent à cœur ou proposez-en de "
        "nouvelles, en ligne ou sur formulaire papier. Un ambassadeur passe aussi en porte-à-porte "
        "pour recueillir l'avis des habitants qui n'ont pas accès à internet.\n\n"
        "Les propositions seront présentées aux candidats, ou à leurs représentants, lors d'un "
        "plateau en direct sur une web TV. Quelques jours plus tard, chacun recevra la version "
        "finale du plan d'actions, enrichie des améliorations suggérées pendant le plateau."
    ),
    "contact_name": "Collectif Concerto Aix",
    "contact_email": "saint-jerome@example.org",
    "contact_note": "Permanence le mardi de 17 h à 19 h à la maison de quartier.",
    "legal_notice": (
        "Ce site est édité par le Collectif Concerto Aix, association loi 1901 (site de démonstration : "
        "les personnes, adresses et listes sont fictives)."
    ),
    "privacy_notice": (
        "Le Collectif Concerto Aix conserve votre nom public, vos soutiens et vos contributions pour la durée "
        "de la concertation. Vos réponses de volontaire sont effacées 12 mois après la fin de la concertation. "
        "Vous pouvez tout consulter, télécharger ou supprimer depuis « Mon espace »."
    ),
}


class Phase(NamedTuple):
    kind: str
    # Days from today (local midnight); hours allow an evening event.
    start_day: int
    end_day: int
    summary: str
    start_hour: int = 0
    end_hour: int = 0


# Dates are relative to the day the demo is loaded: the first three phases are over,
# participation and door to door are open (a newcomer can take part for about 30 days),
# the live event and the final dossier are to come.
PHASES = [
    Phase("invitation", -60, -46,
          "700 courriers distribués dans une partie du quartier, chacun avec un code personnel "
          "pour participer."),
    Phase("selection", -45, -38,
          "12 habitants choisis parmi les volontaires selon leurs talents et leurs disponibilités, "
          "avec une liste de réserve."),
    Phase("workshops", -37, -23,
          "Deux ateliers animés : diagnostic de la vie quotidienne, puis 20 actions concrètes "
          "retenues pour le quartier."),
    Phase("participation", -21, 31,
          "Soutenez les actions des ateliers ou proposez les vôtres, en ligne ou sur formulaire "
          "papier."),
    Phase("door_to_door", -14, 21,
          "Un ambassadeur rencontre chez eux les habitants qui n'ont pas accès à internet et "
          "recueille leurs soutiens."),
    Phase("live_event", 35, 35,
          "Plateau en direct sur une web TV : les 7 candidats ou leurs représentants réagissent "
          "aux propositions.", start_hour=18, end_hour=21),
    Phase("synthesis", 38, 52,
          "Chaque candidat reçoit la version finale du plan d'actions, avec les améliorations "
          "suggérées pendant le plateau."),
]

SECTORS = [
    ("avenue-saint-jerome", "Avenue Saint-Jérôme"),
    ("chemin-micocouliers", "Chemin des Micocouliers"),
    ("residence-platanes", "Résidence Les Platanes"),
    ("rue-lavandes", "Rue des Lavandes"),
    ("allee-cigales", "Allée des Cigales"),
    ("traverse-vallon", "Traverse du Vallon"),
    ("lotissement-oliviers", "Lotissement Les Oliviers"),
    ("place-amandiers", "Place des Amandiers"),
]


class Place(NamedTuple):
    loc: str  # adverbial phrase used in titles: "Ajouter des bancs {loc}"
    nom: str  # noun phrase with its article, after "depuis", "vers", "sur", "pour"
    label: str  # the action's ``place`` field
    sector: str | None  # code of a SECTORS entry


PLACES = {
    "quartier": Place("dans tout le quartier", "le quartier", "Tout le quartier Saint-Jérôme", None),
    "avenue": Place("avenue Saint-Jérôme", "l'avenue Saint-Jérôme", "Avenue Saint-Jérôme",
                    "avenue-saint-jerome"),
    "ecole": Place("devant l'école élémentaire", "l'école élémentaire",
                   "Avenue Saint-Jérôme, devant l'école élémentaire", "avenue-saint-jerome"),
    "arret": Place("près de l'arrêt de bus Saint-Jérôme", "l'arrêt de bus Saint-Jérôme",
                   "Arrêt de bus Saint-Jérôme, avenue Saint-Jérôme", "avenue-saint-jerome"),
    "micocouliers": Place("chemin des Micocouliers", "le chemin des Micocouliers",
                          "Chemin des Micocouliers", "chemin-micocouliers"),
    "platanes": Place("à la résidence Les Platanes", "la résidence Les Platanes",
                      "Résidence Les Platanes", "residence-platanes"),
    "parking": Place("sur le parking des Platanes", "le parking des Platanes",
                     "Parking de la résidence Les Platanes", "residence-platanes"),
    "lavandes": Place("rue des Lavandes", "la rue des Lavandes", "Rue des Lavandes", "rue-lavandes"),
    "carrefour": Place("au carrefour des Lavandes", "le carrefour des Lavandes",
                       "Carrefour rue des Lavandes / avenue Saint-Jérôme", "rue-lavandes"),
    "cigales": Place("allée des Cigales", "l'allée des Cigales", "Allée des Cigales", "allee-cigales"),
    "square": Place("au square des Cigales", "le square des Cigales", "Square des Cigales",
                    "allee-cigales"),
    "vallon": Place("traverse du Vallon", "la traverse du Vallon", "Traverse du Vallon",
                    "traverse-vallon"),
    "promenade": Place("le long de la promenade du Vallon", "la promenade du Vallon",
                       "Promenade du Vallon", "traverse-vallon"),
    "citystade": Place("autour du city-stade", "le city-stade", "City-stade, traverse du Vallon",
                       "traverse-vallon"),
    "oliviers": Place("au lotissement Les Oliviers", "le lotissement Les Oliviers",
                      "Lotissement Les Oliviers", "lotissement-oliviers"),
    "amandiers": Place("place des Amandiers", "la place des Amandiers", "Place des Amandiers",
                       "place-amandiers"),
    "pharmacie": Place("près de la pharmacie des Amandiers", "la pharmacie des Amandiers",
                       "Place des Amandiers, près de la pharmacie", "place-amandiers"),
}

THEMES = [
    ("mobilite-stationnement", "Mobilité et stationnement"),
    ("proprete", "Propreté"),
    ("espaces-verts", "Espaces verts"),
    ("commerces-proximite", "Commerces de proximité"),
    ("securite-tranquillite", "Sécurité et tranquillité"),
    ("jeunesse", "Jeunesse"),
    ("lien-social", "Lien social"),
]

# Staff of the consultation. Roles are the values of residents.models.Role.
STAFF = [
    ("organisatrice", "Claire, organisatrice", "organiser"),
    ("animateur", "Julien, animateur", "facilitator"),
    ("moderatrice", "Sonia, modératrice", "moderator"),
    ("ambassadeur", "Karim, ambassadeur", "ambassador"),
]

# Seven fictional, neutral city-wide lists; listed here in alphabetical order of the list name.
CANDIDATES = [
    "Liste « Aix au Quotidien » (représentant)",
    "Liste « Aix Citoyenne et Verte » (candidate)",
    "Liste « Aix Ensemble » (représentante)",
    "Liste « Aix, Ville Vivante » (candidat)",
    "Liste « Cap Aix Demain » (candidat)",
    "Liste « Le Pays d'Aix Autrement » (représentante)",
    "Liste « Renouveau aixois » (représentant)",
]

# A second ambassador for the door-to-door rounds (granted by the organiser, like the staff above).
SECOND_AMBASSADOR = ("ambassadrice", "Sophie, ambassadrice")

# The consent text the ambassadors read aloud at each door (and printed on the paper form).
CONSENT_SCRIPT = (
    "Le Collectif Concerto Aix recueille votre avis sur les actions du quartier Saint-Jérôme. Nous gardons "
    "vos soutiens et vos propositions, avec vos initiales si vous le souhaitez, jusqu'à la fin de la "
    "concertation. Vos propositions seront lues par l'équipe de modération avant d'être publiées, sans votre "
    "nom. Vous pouvez demander à tout moment leur effacement à la permanence du mardi ou par courrier."
)

RESIDENT_COUNT = 130
WORKSHOP_PARTICIPANTS = 12  # selected among the volunteers, as in the real case
DOOR_TO_DOOR_RESIDENTS = 14  # met by the ambassador, no internet access
PAPER_RESIDENTS = 6  # answered with the paper form

FIRST_NAMES = [
    "Nadia", "Sophie", "Marc", "Julien", "Fatima", "Karim", "Élodie", "Thomas", "Camille", "Lucas",
    "Inès", "Yasmine", "Mehdi", "Chantal", "Gérard", "Monique", "Bernard", "Sylvie", "Patrick",
    "Isabelle", "Nathalie", "Philippe", "Catherine", "Christophe", "Sandrine", "Laurent", "Valérie",
    "Stéphane", "Aurélie", "Nicolas", "Céline", "Sébastien", "Émilie", "Antoine", "Manon", "Hugo",
    "Léa", "Louis", "Chloé", "Gabriel", "Emma", "Raphaël", "Jade", "Arthur", "Louise", "Jules",
    "Alice", "Adam", "Lina", "Nathan", "Sarah", "Théo", "Clara", "Rayan", "Zoé", "Enzo", "Anaïs",
    "Maxime", "Pauline", "Romain", "Mathilde", "Alexandre", "Margaux", "Quentin", "Julie", "Kevin",
    "Laura", "Damien", "Audrey", "Fabrice", "Karine", "Hervé", "Martine", "Jean-Pierre",
    "Marie-Claude", "Jacqueline", "Francis", "Odile", "Rémi", "Agnès", "Bruno", "Hélène", "Didier",
    "Véronique", "Olivier", "Corinne", "Pascal", "Brigitte", "Thierry", "Françoise", "Samir",
    "Leïla", "Rachid", "Malika", "Youssef", "Samia", "Nordine", "Amina", "Hakim", "Soraya",
    "Joaquim", "Ana", "Paulo", "Graziella", "Giovanni", "Lucia", "Mamadou", "Aïssatou", "Ibrahim",
    "Fatoumata", "Linh", "Mickaël", "Océane", "Dylan", "Mélissa", "Loïc", "Gaëlle", "Yannick",
    "Solène", "Cyril", "Noémie", "Florian", "Estelle", "Benoît", "Murielle", "Guy", "Josette",
    "Roger", "Simone", "Marcel", "Yvette", "Henri", "Ginette", "Lucien", "Mireille",
]
INITIALS = "ABCDFGLMNPRSTV"


class WorkshopAction(NamedTuple):
    key: str
    theme: str
    place: str  # key of PLACES
    weight: float  # how popular it turns out to be with residents
    title: str
    summary: str
    body: str
    comments: tuple[str, ...] = ()


# The 20 actions retained at the end of the two workshops.
WORKSHOP_ACTIONS = [
    WorkshopAction(
        "traversee-ecole", "mobilite-stationnement", "ecole", 14,
        "Sécuriser la traversée devant l'école élémentaire",
        "Un plateau surélevé, un passage piéton éclairé et un agent aux heures d'entrée et de sortie "
        "pour que les enfants traversent l'avenue Saint-Jérôme en sécurité.",
        "Chaque matin, parents et enfants traversent l'avenue Saint-Jérôme au milieu des voitures "
        "qui arrivent vite de la descente. Pendant les ateliers, plusieurs habitants ont raconté "
        "des frayeurs, surtout l'hiver quand il fait encore nuit.\n\n"
        "Nous proposons :\n\n"
        "- un **plateau surélevé** avec un passage piéton repeint en couleur ;\n"
        "- un éclairage renforcé du passage ;\n"
        "- un **agent de traversée** de 8 h 15 à 8 h 45 et de 16 h 15 à 16 h 45.\n\n"
        "Ces aménagements sont simples, peu coûteux et pourraient être réalisés dès la première "
        "année du mandat.",
        (
            "Enfin ! Mon fils a failli se faire renverser en septembre, la voiture ne s'est même pas "
            "arrêtée.",
            "D'accord avec le plateau, mais il faudrait aussi verbaliser les parents qui se garent "
            "sur le passage piéton à 8 h 30. Nous sommes parfois les premiers responsables.",
            "L'agent de traversée est une très bonne idée. Des retraités du quartier pourraient "
            "aussi s'engager bénévolement, comme cela se fait ailleurs.",
            "Attention à ce que le plateau ne soit pas trop brutal pour les bus et les ambulances : "
            "il existe des modèles plus doux.",
        ),
    ),
    WorkshopAction(
        "zone-rencontre-lavandes", "mobilite-stationnement", "lavandes", 5,
        "Passer la rue des Lavandes en zone de rencontre à 20 km/h",
        "Faire de la rue des Lavandes une rue partagée où les piétons sont prioritaires, limitée à "
        "20 km/h, avec des bacs plantés pour ralentir les voitures.",
        "La rue des Lavandes est étroite, sans vrai trottoir, et sert de raccourci aux "
        "automobilistes qui veulent éviter le carrefour. Les riverains y marchent pourtant tous "
        "les jours pour aller aux commerces.\n\n"
        "Une **zone de rencontre** donne la priorité aux piétons et limite la vitesse à 20 km/h. "
        "Quelques bacs plantés en quinconce suffisent à faire ralentir, sans supprimer l'accès des "
        "riverains ni des secours.\n\n"
        "Les habitants proposent de **tester l'aménagement pendant six mois** avant de le rendre "
        "définitif.",
        (
            "J'habite rue des Lavandes : oui, mille fois oui. Le matin c'est une autoroute.",
            "Je suis plus réservé : si on ralentit la rue des Lavandes, les voitures vont se "
            "reporter sur le chemin des Micocouliers. Il faut regarder le quartier dans son "
            "ensemble.",
            "Le test de six mois me paraît la bonne méthode pour convaincre les hésitants.",
        ),
    ),
    WorkshopAction(
        "piste-cyclable-centre", "mobilite-stationnement", "avenue", 7,
        "Relier Saint-Jérôme au centre-ville par une piste cyclable continue",
        "Une piste cyclable séparée de la circulation sur l'avenue Saint-Jérôme, sans coupure "
        "jusqu'au centre-ville, pour aller au travail, au lycée ou au marché à vélo.",
        "Le centre-ville n'est qu'à quinze minutes à vélo, mais l'avenue Saint-Jérôme fait peur : "
        "circulation dense, bandes cyclables qui s'arrêtent net, voitures garées dessus.\n\n"
        "Les habitants demandent une **piste continue et séparée** (bordure ou séparateurs), des "
        "traversées sécurisées aux carrefours et des arceaux à l'arrivée.\n\n"
        "Beaucoup de collégiens et de lycéens pourraient ainsi se déplacer seuls, et les parents "
        "auraient moins de trajets en voiture à faire.",
        (
            "Je vais au travail à vélo depuis deux ans : la portion devant la station-service est "
            "vraiment dangereuse, c'est là qu'il faut commencer.",
            "Une piste cyclable, pourquoi pas, mais sans supprimer les places de stationnement : "
            "beaucoup d'entre nous n'ont pas le choix de la voiture, notamment pour le travail en "
            "horaires décalés.",
            "Avec un vélo à assistance électrique, la côte n'est plus un problème. Une aide à "
            "l'achat compléterait bien cette action.",
        ),
    ),
    WorkshopAction(
        "bus-soir-samedi", "mobilite-stationnement", "arret", 11,
        "Plus de bus le samedi et en soirée",
        "Un bus toutes les 15 minutes le samedi et un dernier départ du centre-ville vers 22 h, pour "
        "que le quartier ne soit plus coupé de la ville le soir et le week-end.",
        "Aujourd'hui, le dernier bus qui dessert l'arrêt Saint-Jérôme part du centre-ville avant "
        "20 h 30, et il faut parfois attendre 40 minutes le samedi. Les jeunes, les personnes âgées "
        "et ceux qui n'ont pas de voiture sont les premiers pénalisés.\n\n"
        "Les habitants proposent de demander à la Métropole :\n\n"
        "- un **passage toutes les 15 minutes le samedi** ;\n"
        "- un **dernier départ vers 22 h** du lundi au samedi ;\n"
        "- un affichage du temps d'attente en temps réel à l'arrêt.",
        (
            "Ma fille travaille au centre-ville jusqu'à 21 h, elle rentre à pied faute de bus. "
            "C'est ma priorité numéro un.",
            "Le bus relève de la Métropole et non de la commune, mais le futur maire peut peser : "
            "c'est justement une bonne question à poser aux candidats lors du plateau.",
            "L'affichage en temps réel ne coûte pas cher et changerait déjà beaucoup de choses.",
            "Et le dimanche ? Il n'y a quasiment rien non plus.",
        ),
    ),
    WorkshopAction(
        "stationnement-commerces", "mobilite-stationnement", "amandiers", 4,
        "Créer des places de stationnement minute devant les commerces",
        "Transformer six places de la place des Amandiers en stationnement limité à 20 minutes pour "
        "que les clients des commerces trouvent à se garer.",
        "Les places autour de la place des Amandiers sont occupées du matin au soir par les mêmes "
        "véhicules. Les clients de la boulangerie et de la pharmacie se garent en double file, ce "
        "qui bloque le bus.\n\n"
        "Les habitants proposent **six places « arrêt minute »** de 20 minutes, clairement "
        "signalées, et une **place de livraison** réservée le matin. Les commerçants rencontrés "
        "pendant l'atelier y sont favorables.",
        (
            "C'est toujours le même, le monsieur au fourgon blanc du 8 rue des Lavandes, qui laisse "
            "son véhicule là toute la semaine. Qu'on lui mette des amendes !",
            "Très bien pour les commerces. Il faudrait aussi une place réservée aux personnes à "
            "mobilité réduite près de la pharmacie.",
        ),
    ),
    WorkshopAction(
        "conteneurs-enterres", "proprete", "oliviers", 6,
        "Installer des conteneurs enterrés au lotissement Les Oliviers",
        "Remplacer les bacs qui débordent à l'entrée du lotissement par des conteneurs enterrés pour "
        "les ordures, le tri et le verre.",
        "À l'entrée du lotissement Les Oliviers, les bacs roulants débordent dès le week-end, les "
        "sacs s'entassent à côté et attirent chats errants et rats.\n\n"
        "Des **conteneurs enterrés** (ordures ménagères, emballages, verre) prennent moins de place, "
        "sentent moins et se vident moins souvent. Ils ont déjà été installés dans d'autres "
        "quartiers d'Aix.\n\n"
        "Les habitants souhaitent être associés au **choix de l'emplacement** pour ne gêner aucun "
        "riverain.",
        (
            "Les conteneurs enterrés de la résidence voisine fonctionnent très bien, aucune odeur "
            "même en août.",
            "Bonne idée, à condition qu'ils soient vidés à temps. Sinon on retrouve les sacs posés "
            "à côté, comme ailleurs.",
            "Il faudrait prévoir une ouverture accessible aux personnes en fauteuil ou de petite "
            "taille.",
        ),
    ),
    WorkshopAction(
        "encombrants-rdv", "proprete", "quartier", 8,
        "Organiser une collecte mensuelle des encombrants sur rendez-vous",
        "Un passage par mois dans le quartier, sur simple rendez-vous par téléphone ou en ligne, "
        "pour éviter que meubles et électroménager finissent sur les trottoirs.",
        "Beaucoup d'habitants n'ont pas de voiture pour aller à la déchetterie. Résultat : matelas, "
        "canapés et frigos sont déposés au pied des immeubles et y restent parfois des semaines.\n\n"
        "Les habitants proposent un **passage mensuel à date fixe**, annoncé à l'avance, avec une "
        "prise de rendez-vous simple : téléphone, site internet ou formulaire papier à la mairie "
        "annexe.\n\n"
        "Les objets en bon état pourraient être orientés vers une **ressourcerie** plutôt que "
        "jetés.",
        (
            "Le service existe déjà en partie, mais personne ne le connaît. Une bonne information "
            "dans les boîtes aux lettres serait un premier pas.",
            "Oui, et prévoir de l'aide pour descendre les objets : à 80 ans, je ne peux pas porter "
            "un matelas jusqu'au trottoir.",
            "L'idée de la ressourcerie me plaît beaucoup, il y a de très beaux meubles qui partent "
            "à la benne.",
        ),
    ),
    WorkshopAction(
        "proprete-promenade", "proprete", "promenade", 5,
        "Poubelles et distributeurs de sacs pour chiens le long de la promenade du Vallon",
        "Installer cinq poubelles et trois distributeurs de sacs le long de la promenade du Vallon, "
        "très fréquentée par les promeneurs et leurs chiens.",
        "La promenade du Vallon est l'un des rares espaces verts du quartier, mais on y compte une "
        "seule poubelle sur près d'un kilomètre. Déchets et déjections canines gâchent la "
        "balade.\n\n"
        "Les habitants proposent **cinq poubelles** et **trois distributeurs de sacs**, vidés deux "
        "fois par semaine, ainsi qu'un petit panneau rappelant les bons gestes, dessiné avec les "
        "enfants de l'école.",
        (
            "Propriétaire de chien, je ramasse toujours, mais je dois garder le sac pendant toute la "
            "promenade. Des poubelles seraient bienvenues.",
            "Le panneau dessiné par les enfants est une jolie idée, ça parle davantage qu'une "
            "interdiction.",
        ),
    ),
    WorkshopAction(
        "jardin-partage", "espaces-verts", "micocouliers", 10,
        "Aménager un jardin partagé sur la friche du chemin des Micocouliers",
        "Transformer le terrain municipal en friche du chemin des Micocouliers en jardin partagé, "
        "avec des parcelles familiales, un composteur et un point d'eau.",
        "Le terrain vague du chemin des Micocouliers appartient à la ville et n'est plus entretenu "
        "depuis des années. Il pourrait devenir un lieu de rencontre entre voisins de tous âges.\n\n"
        "Le projet imaginé en atelier :\n\n"
        "- une **vingtaine de parcelles** attribuées pour un an renouvelable ;\n"
        "- un coin collectif pour l'école et le centre social ;\n"
        "- un **composteur** et un récupérateur d'eau de pluie.\n\n"
        "Une association d'habitants est prête à gérer le jardin si la ville prend en charge la "
        "clôture et l'arrivée d'eau.",
        (
            "Je suis partante pour faire partie de l'association ! J'ai un petit balcon et je rêve "
            "d'un vrai potager.",
            "Attention à l'arrosage l'été : avec les restrictions d'eau, il faudra du paillage et "
            "des plantes adaptées à la sécheresse.",
            "Le coin réservé à l'école est une excellente idée, les enfants apprendraient d'où "
            "viennent les légumes.",
            "Et pourquoi pas quelques ruches ? Un apiculteur du quartier pourrait s'en occuper.",
        ),
    ),
    WorkshopAction(
        "arbres-amandiers", "espaces-verts", "amandiers", 9,
        "Planter des arbres d'ombrage sur la place des Amandiers",
        "Planter une dizaine d'arbres adaptés à la chaleur sur la place des Amandiers, aujourd'hui "
        "brûlante l'été, pour en faire de nouveau un lieu où l'on s'arrête.",
        "En juillet, la place des Amandiers devient une dalle brûlante que tout le monde traverse "
        "au pas de course. Il ne reste qu'un seul des amandiers qui lui ont donné son nom.\n\n"
        "Les habitants demandent une **dizaine d'arbres d'ombrage** adaptés au climat provençal "
        "(micocouliers, tilleuls, mûriers platanes), plantés en pleine terre, avec un arrosage "
        "assuré les premières années.\n\n"
        "Quelques places de stationnement pourraient être déplacées pour leur faire de la place.",
        (
            "Et replanter quelques amandiers, pour que la place mérite à nouveau son nom !",
            "D'accord sur le principe, mais pas au détriment du stationnement déjà rare pour les "
            "commerces. On peut sûrement trouver de la place ailleurs sur la dalle.",
            "Il faut des arbres déjà grands, sinon on attendra quinze ans avant d'avoir de l'ombre.",
        ),
    ),
    WorkshopAction(
        "square-cigales", "espaces-verts", "square", 5,
        "Des bancs et une fontaine d'eau potable au square des Cigales",
        "Ajouter des bancs à l'ombre et une fontaine d'eau potable au square des Cigales, pour les "
        "parents, les enfants et les aînés qui s'y retrouvent.",
        "Le square des Cigales est très fréquenté après l'école, mais il ne compte que deux bancs, "
        "en plein soleil. Les grands-parents restent debout et il faut rentrer chez soi pour "
        "boire.\n\n"
        "Les habitants proposent **six bancs avec dossier** à l'ombre des pins et une **fontaine "
        "d'eau potable** accessible aux personnes en fauteuil et aux enfants.",
        (
            "Des bancs avec accoudoirs, s'il vous plaît : c'est bien plus facile pour se relever.",
            "La fontaine est indispensable l'été, les enfants jouent en plein soleil.",
        ),
    ),
    WorkshopAction(
        "marche-producteurs", "commerces-proximite", "amandiers", 9,
        "Un marché de producteurs le mercredi après-midi place des Amandiers",
        "Accueillir chaque mercredi de 15 h à 19 h une dizaine de producteurs locaux sur la place des "
        "Amandiers, pour acheter frais sans prendre la voiture.",
        "Le marché le plus proche est en centre-ville, et beaucoup d'habitants n'y vont pas faute de "
        "temps ou de moyen de transport. Un petit marché de quartier ferait vivre la place et "
        "profiterait aux commerces voisins.\n\n"
        "Les habitants proposent un **marché de producteurs le mercredi après-midi**, quand les "
        "enfants n'ont pas école : fruits et légumes, fromage, pain, huile d'olive du pays "
        "d'Aix.\n\n"
        "Des **branchements électriques** et le nettoyage après le marché seraient à prévoir.",
        (
            "Le mercredi après-midi, c'est parfait pour les familles. Je viendrai avec mes enfants.",
            "Attention à ne pas faire concurrence à l'épicerie de la place, qui a déjà du mal. "
            "Pourquoi ne pas l'associer au marché ?",
            "Le samedi matin toucherait aussi ceux qui travaillent en semaine.",
        ),
    ),
    WorkshopAction(
        "local-vacant", "commerces-proximite", "avenue", 6,
        "Aider à la reprise du local commercial vide de l'avenue Saint-Jérôme",
        "Le local de l'ancienne supérette est vide depuis trois ans. La ville pourrait faciliter sa "
        "reprise ou proposer un loyer réduit pour y installer une épicerie ou une boulangerie.",
        "Depuis la fermeture de la supérette, les habitants sans voiture doivent prendre le bus pour "
        "faire leurs courses. Le local, bien placé sur l'avenue Saint-Jérôme, reste fermé et se "
        "dégrade.\n\n"
        "Les habitants proposent que la ville :\n\n"
        "- prenne contact avec le propriétaire pour connaître ses intentions ;\n"
        "- étudie un **loyer aidé** ou un rachat ;\n"
        "- lance un appel à projets pour un **commerce alimentaire de proximité**, éventuellement "
        "coopératif.",
        (
            "Une épicerie coopérative fonctionne très bien dans un quartier de Marseille, on pourrait "
            "s'en inspirer.",
            "Tout à fait d'accord. Pour les personnes âgées du quartier, c'est une question "
            "d'autonomie.",
            "Quelqu'un sait si la boulangerie de la place ferme en août cette année ?",
        ),
    ),
    WorkshopAction(
        "eclairage-platanes", "securite-tranquillite", "platanes", 8,
        "Éclairer le chemin piéton entre la résidence Les Platanes et l'arrêt de bus",
        "Installer un éclairage à détection de présence sur le chemin piéton qui relie la résidence "
        "Les Platanes à l'arrêt de bus, aujourd'hui plongé dans le noir.",
        "Le raccourci qui mène de la résidence Les Platanes à l'arrêt de bus est le chemin le plus "
        "direct, mais il n'est pas éclairé. L'hiver, beaucoup d'habitantes font un long détour par "
        "l'avenue plutôt que de l'emprunter après 18 h.\n\n"
        "Les habitants proposent des **lampadaires à LED à détection de présence**, économes et peu "
        "gênants pour les riverains, ainsi que la **taille des haies** qui bordent le chemin.",
        (
            "Je ne prends plus ce chemin dès qu'il fait nuit. L'éclairage changerait vraiment le "
            "quotidien.",
            "La détection de présence est un bon compromis : pas de lumière inutile toute la nuit "
            "pour la faune et les voisins.",
        ),
    ),
    WorkshopAction(
        "mediation-ete", "securite-tranquillite", "quartier", 4,
        "Une équipe de médiation de nuit les week-ends d'été",
        "Des médiateurs présents le vendredi et le samedi soir de juin à septembre, pour apaiser les "
        "conflits liés au bruit et aux rassemblements tardifs.",
        "L'été, les soirées sont animées dans le quartier et les tensions montent parfois entre les "
        "jeunes qui se retrouvent dehors et les riverains qui veulent dormir.\n\n"
        "Plutôt que la seule réponse policière, les habitants proposent une **équipe de médiation "
        "de nuit** de deux ou trois personnes, qui connaît le quartier, dialogue avec tout le monde "
        "et sait orienter vers les services compétents.\n\n"
        "Un **bilan** serait présenté aux habitants à la fin de chaque été.",
        (
            "Je ne suis pas convaincu : la médiation ne suffira pas face à certains rodéos de "
            "scooters. Il faut aussi des contrôles.",
            "La médiation a fait ses preuves dans d'autres villes. Les jeunes ne sont pas le "
            "problème, c'est le manque de dialogue.",
            "Pourquoi ne pas recruter des médiateurs qui habitent le quartier ? Ils seraient mieux "
            "acceptés.",
        ),
    ),
    WorkshopAction(
        "city-stade", "jeunesse", "citystade", 7,
        "Rénover le city-stade et l'ouvrir avec des horaires adaptés",
        "Refaire le sol et les filets du city-stade de la traverse du Vallon, ajouter des paniers de "
        "basket et fixer des horaires d'ouverture respectés de tous.",
        "Le city-stade est le seul équipement pour les jeunes du quartier. Son revêtement est abîmé, "
        "les filets sont déchirés et il n'y a plus de panier de basket.\n\n"
        "Les jeunes rencontrés pendant les ateliers demandent :\n\n"
        "- un **sol neuf** et des filets réparés ;\n"
        "- **deux paniers de basket** ;\n"
        "- des horaires clairs (9 h – 21 h) affichés à l'entrée.\n\n"
        "Ils se sont proposés pour participer au choix des équipements et à une **charte "
        "d'utilisation**.",
        (
            "Merci de penser aux filles aussi : un créneau réservé certains soirs permettrait "
            "qu'elles osent venir.",
            "Je vis juste à côté. D'accord pour la rénovation, mais les horaires devront vraiment "
            "être respectés, le ballon contre le grillage à minuit, ce n'est plus possible.",
            "La charte écrite par les jeunes eux-mêmes, c'est la meilleure garantie qu'elle sera "
            "respectée.",
        ),
    ),
    WorkshopAction(
        "accueil-ados", "jeunesse", "platanes", 5,
        "Un accueil pour les adolescents le mercredi et pendant les vacances",
        "Ouvrir un lieu d'accueil encadré pour les 11-17 ans dans la salle de la résidence Les "
        "Platanes, avec des activités, de l'aide aux projets et des sorties.",
        "Entre 11 et 17 ans, les jeunes du quartier n'ont aucun lieu à eux : ils se retrouvent au "
        "pied des immeubles, faute de mieux.\n\n"
        "Les habitants proposent d'ouvrir la salle commune de la résidence Les Platanes **le "
        "mercredi après-midi et pendant les vacances scolaires**, avec un animateur diplômé.\n\n"
        "On pourrait y faire du sport, des jeux, de la musique, réviser le brevet ou monter des "
        "projets de sorties.",
        (
            "Mon fils de 13 ans tourne en rond pendant les vacances. Un lieu comme ça lui ferait du "
            "bien.",
            "La salle des Platanes est petite. Il faudrait peut-être prévoir un autre lieu si ça "
            "marche bien.",
        ),
    ),
    WorkshopAction(
        "maison-quartier", "lien-social", "amandiers", 7,
        "Ouvrir une maison de quartier avec une salle prêtée aux associations",
        "Un lieu ouvert à tous, près de la place des Amandiers, avec une salle que les associations "
        "et les habitants peuvent réserver gratuitement.",
        "Saint-Jérôme n'a pas de lieu de rencontre : les associations se réunissent chez leurs "
        "membres et les fêtes de famille doivent se faire ailleurs.\n\n"
        "Les habitants proposent une **maison de quartier** avec :\n\n"
        "- une salle polyvalente réservable gratuitement par les associations ;\n"
        "- une **permanence des services municipaux** une fois par semaine ;\n"
        "- un coin café et un panneau d'information.\n\n"
        "Un bâtiment municipal sous-utilisé pourrait être réaménagé plutôt que de construire du "
        "neuf.",
        (
            "Notre chorale répète dans un salon, une salle serait un vrai bonheur !",
            "La permanence des services municipaux éviterait à beaucoup d'entre nous d'aller au "
            "centre-ville pour chaque démarche.",
            "C'est l'action qui rassemble toutes les autres : le jardin, la fête, l'accueil des "
            "jeunes pourraient partir de là.",
        ),
    ),
    WorkshopAction(
        "fete-quartier", "lien-social", "square", 5,
        "Une fête de quartier chaque année, soutenue par la ville",
        "Organiser chaque année en juin une grande fête de quartier au square des Cigales, préparée "
        "par les habitants avec du matériel prêté par la ville.",
        "Les habitants ont envie de se retrouver, mais l'organisation d'une fête demande du "
        "matériel (tables, barnums, sono) et des autorisations difficiles à obtenir.\n\n"
        "Les habitants proposent que la ville **prête le matériel**, simplifie les démarches et "
        "soutienne un **comité des fêtes** ouvert à tous.\n\n"
        "Au programme : repas partagé, musique, jeux pour les enfants et rencontre entre anciens et "
        "nouveaux habitants.",
        (
            "J'ai organisé la fête des voisins de mon immeuble l'an dernier, je veux bien aider.",
            "Prévoir un horaire de fin raisonnable pour les riverains du square, et tout le monde "
            "sera content.",
        ),
    ),
    WorkshopAction(
        "voisins-solidaires", "lien-social", "quartier", 8,
        "Créer un réseau de voisins solidaires pour les personnes âgées isolées",
        "Mettre en relation des voisins volontaires et des personnes âgées seules pour des visites, "
        "des courses ou un appel pendant les canicules.",
        "Dans le quartier, de nombreuses personnes âgées vivent seules, parfois sans famille à "
        "proximité. Pendant les canicules ou l'hiver, certaines ne voient personne pendant des "
        "jours.\n\n"
        "Les habitants proposent un **réseau de voisins solidaires** coordonné par le centre "
        "communal d'action sociale : une liste de volontaires, une courte formation, des visites "
        "ou des appels réguliers.\n\n"
        "Le réseau pourrait aussi aider aux **courses** et aux **démarches en ligne**.",
        (
            "Ma voisine de 87 ans serait ravie d'avoir de la visite. Je m'inscris comme "
            "volontaire.",
            "Très belle idée. Il faudra juste bien protéger les informations sur les personnes "
            "isolées, elles peuvent aussi attirer des gens mal intentionnés.",
            "L'aide aux démarches en ligne est essentielle, tout se fait sur internet maintenant.",
        ),
    ),
]

# Comments that will be reported by other residents; the first one is then hidden by the moderator.
HIDDEN_COMMENT = WORKSHOP_ACTIONS[4].comments[0]
HIDDEN_REASON = (
    "Masqué par la modération : ce commentaire met en cause une personne identifiable. Merci de "
    "rester sur les propositions."
)
HIDDEN_REPORTS = ("Il désigne un voisin nommément.", "Propos personnels.")
OPEN_REPORTS = {
    # a polite disagreement, reported by someone who disagrees: the moderator will keep it
    WORKSHOP_ACTIONS[2].comments[1]: "Je ne suis pas d'accord avec ce commentaire.",
    # off topic
    WORKSHOP_ACTIONS[12].comments[2]: "Hors sujet.",
}


class Idea(NamedTuple):
    theme: str
    title: str  # may contain {loc}; then used once per place
    summary: str  # may contain {loc} and {nom}
    body: str  # may contain {loc}, {nom}
    places: tuple[str, ...] = ("quartier",)


# New contributions from residents: each idea is used with several places, so no title repeats.
IDEAS = [
    # Mobilité et stationnement
    Idea("mobilite-stationnement", "Ajouter un passage piéton {loc}",
         "Traverser {loc} est dangereux : un passage piéton bien visible et éclairé protégerait "
         "enfants et personnes âgées.",
         "Il n'y a aucun passage protégé à cet endroit et les voitures ne s'arrêtent pas. Un "
         "marquage au sol, un panneau lumineux et un abaissement de trottoir suffiraient.",
         ("avenue", "lavandes", "carrefour", "arret", "pharmacie", "micocouliers")),
    Idea("mobilite-stationnement", "Installer des ralentisseurs {loc}",
         "Les voitures roulent trop vite {loc}, surtout le soir. Des coussins berlinois calmeraient "
         "la circulation sans gêner les bus.",
         "Les enfants jouent à proximité et les sorties de garage sont sans visibilité. Deux ou "
         "trois coussins berlinois, qui laissent passer les bus et les vélos, feraient ralentir "
         "tout le monde.",
         ("micocouliers", "lavandes", "vallon", "oliviers", "cigales")),
    Idea("mobilite-stationnement", "Créer des arceaux pour vélos {loc}",
         "Il manque d'endroits pour attacher un vélo {loc} : quelques arceaux suffiraient à "
         "encourager les petits trajets à vélo.",
         "Aujourd'hui, les vélos sont accrochés aux grilles et aux panneaux, ce qui gêne les "
         "piétons. Cinq ou six arceaux prennent la place d'une seule voiture.",
         ("amandiers", "pharmacie", "ecole", "arret", "platanes", "citystade")),
    Idea("mobilite-stationnement", "Élargir le trottoir {loc}",
         "Le trottoir est si étroit {loc} qu'on doit descendre sur la chaussée avec une poussette "
         "ou un fauteuil roulant.",
         "Les poteaux et les poubelles occupent le peu de place qui reste. Déplacer le mobilier "
         "urbain et gagner quelques dizaines de centimètres rendrait le passage accessible à "
         "tous.",
         ("avenue", "lavandes", "micocouliers", "vallon")),
    Idea("mobilite-stationnement", "Empêcher le stationnement sur le trottoir {loc}",
         "Des voitures garées sur le trottoir {loc} obligent les piétons à marcher sur la route. "
         "Des potelets ou des contrôles réguliers aideraient.",
         "Avec une poussette ou une canne, c'est devenu impossible. Quelques potelets bien placés "
         "et un rappel de la règle par la police municipale régleraient le problème.",
         ("lavandes", "avenue", "ecole", "pharmacie", "cigales")),
    Idea("mobilite-stationnement", "Un abri-bus avec un banc {loc}",
         "À l'arrêt {loc}, on attend le bus debout, sous le soleil ou la pluie. Un abri avec un "
         "banc serait bienvenu.",
         "Les personnes âgées et les parents avec de jeunes enfants attendent parfois vingt "
         "minutes sans pouvoir s'asseoir. Un simple abri avec un banc et l'affichage des horaires "
         "changerait beaucoup.",
         ("avenue", "micocouliers", "oliviers", "vallon")),
    Idea("mobilite-stationnement", "Mettre en place une zone bleue {loc}",
         "Les places sont occupées toute la journée {loc} par des voitures ventouses : une zone "
         "bleue permettrait de faire ses courses.",
         "Un stationnement limité à une heure et demie avec disque libérerait des places pour les "
         "clients et les visiteurs, sans rien coûter aux habitants.",
         ("amandiers", "pharmacie", "avenue", "parking")),
    Idea("mobilite-stationnement", "Tailler les haies qui masquent la visibilité {loc}",
         "Les haies débordent {loc} et cachent les voitures qui arrivent : un élagage régulier "
         "éviterait des accidents.",
         "En sortant à pied ou en voiture, on ne voit rien avant d'être au milieu de la chaussée. "
         "Un rappel aux propriétaires et un passage des services techniques deux fois par an "
         "suffiraient.",
         ("lavandes", "micocouliers", "vallon", "cigales", "oliviers", "carrefour")),
    Idea("mobilite-stationnement", "Installer une borne de recharge électrique {loc}",
         "Aucune borne de recharge pour voitures électriques {loc} : une ou deux bornes "
         "aideraient ceux qui n'ont pas de garage.",
         "De plus en plus d'habitants passent à l'électrique mais vivent en appartement, sans "
         "prise. Une borne publique à tarif raisonnable les aiderait à franchir le pas.",
         ("amandiers", "parking", "avenue")),
    Idea("mobilite-stationnement", "Tracer une bande cyclable {loc}",
         "Les cyclistes partagent la chaussée avec les voitures {loc}. Une bande cyclable "
         "peinte serait un premier pas peu coûteux.",
         "En attendant des aménagements plus lourds, un marquage au sol et quelques pictogrammes "
         "rappelleraient aux automobilistes que les vélos ont leur place.",
         ("avenue", "micocouliers", "vallon", "lavandes")),
    Idea("mobilite-stationnement", "Organiser un pédibus vers l'école depuis {nom}",
         "Des parents volontaires accompagnent à pied les enfants vers l'école depuis {nom}, "
         "selon un trajet et des horaires fixes.",
         "Le pédibus réduit les voitures devant l'école et permet aux enfants de marcher chaque "
         "matin. La ville pourrait fournir des gilets et baliser le trajet.",
         ("platanes", "oliviers", "vallon", "cigales")),
    # Propreté
    Idea("proprete", "Ajouter des poubelles {loc}",
         "Les rares poubelles débordent le week-end {loc} et les déchets finissent dans les "
         "caniveaux.",
         "Deux ou trois corbeilles supplémentaires, vidées le lundi matin, éviteraient de voir "
         "canettes et emballages s'accumuler.",
         ("amandiers", "square", "promenade", "citystade", "arret", "ecole")),
    Idea("proprete", "Lutter contre les dépôts sauvages {loc}",
         "Matelas, gravats, cartons : les dépôts sauvages reviennent chaque semaine {loc}. Il faut "
         "agir vite et décourager les récidives.",
         "Un ramassage rapide après signalement, un panneau rappelant l'amende encourue et, si "
         "besoin, une surveillance temporaire décourageraient ces dépôts.",
         ("vallon", "micocouliers", "oliviers", "parking", "carrefour")),
    Idea("proprete", "Installer un distributeur de sacs pour chiens {loc}",
         "Un distributeur de sacs et une poubelle {loc} aideraient les propriétaires de chiens à "
         "ramasser.",
         "La plupart des propriétaires sont de bonne volonté, mais rien n'est prévu. Un "
         "distributeur réapprovisionné régulièrement changerait les habitudes.",
         ("square", "promenade", "cigales", "lavandes", "amandiers")),
    Idea("proprete", "Faire passer la balayeuse plus souvent {loc}",
         "Feuilles, sable et déchets s'accumulent {loc}. Un passage de balayeuse tous les quinze "
         "jours serait le minimum.",
         "Aujourd'hui, la balayeuse passe rarement, et jamais quand les voitures sont garées. "
         "Annoncer les passages à l'avance permettrait de libérer les places ce jour-là.",
         ("avenue", "lavandes", "amandiers", "platanes", "cigales")),
    Idea("proprete", "Installer un composteur collectif {loc}",
         "Un composteur partagé {loc} réduirait les ordures ménagères et fournirait du terreau "
         "aux jardiniers.",
         "Près d'un tiers de nos poubelles sont des déchets de cuisine. Un composteur géré par des "
         "voisins formés, avec l'appui de la Métropole, fonctionne bien ailleurs.",
         ("platanes", "oliviers", "amandiers", "micocouliers")),
    Idea("proprete", "Effacer les tags {loc}",
         "Des tags couvrent les murs depuis des mois {loc}. Un nettoyage rapide redonnerait une "
         "image soignée au quartier.",
         "Plus un tag reste, plus il en attire d'autres. Un effacement sous une semaine, et "
         "pourquoi pas une fresque réalisée avec les jeunes, changeraient l'ambiance.",
         ("arret", "citystade", "parking", "avenue")),
    Idea("proprete", "Ajouter une colonne à verre {loc}",
         "Il faut marcher loin pour jeter son verre : une colonne {loc} éviterait que les "
         "bouteilles finissent avec les ordures.",
         "La colonne la plus proche est souvent pleine. Une colonne supplémentaire, insonorisée "
         "pour les riverains, encouragerait le tri.",
         ("oliviers", "platanes", "micocouliers", "vallon")),
    Idea("proprete", "Organiser un nettoyage citoyen {loc}",
         "Une matinée de ramassage des déchets {loc}, avec les habitants et les écoles, une fois "
         "par trimestre.",
         "La ville fournirait gants, sacs et pinces et viendrait récupérer les sacs. C'est aussi "
         "une belle occasion de se rencontrer entre voisins.",
         ("promenade", "vallon", "square", "citystade")),
    Idea("proprete", "Vider plus souvent les conteneurs {loc}",
         "En été, les conteneurs débordent dès le samedi {loc} et attirent les rats.",
         "Un ramassage supplémentaire de juin à septembre, au moins le lundi, éviterait les "
         "odeurs et les sacs posés par terre.",
         ("platanes", "oliviers", "lavandes", "amandiers")),
    # Espaces verts
    Idea("espaces-verts", "Planter des arbres {loc}",
         "Aucune ombre l'été {loc} : quelques arbres rendraient l'endroit vivable en juillet.",
         "Des essences résistantes à la sécheresse, comme le micocoulier ou le chêne vert, "
         "apporteraient de l'ombre et de la fraîcheur sans trop d'arrosage.",
         ("avenue", "parking", "ecole", "arret", "oliviers", "cigales")),
    Idea("espaces-verts", "Créer des jardinières partagées {loc}",
         "Des bacs de plantes entretenus par les voisins {loc}, pour fleurir la rue et se "
         "rencontrer.",
         "La ville installe les bacs et la terre, les habitants volontaires plantent et arrosent. "
         "Aromatiques et fleurs de Provence demandent peu d'eau.",
         ("lavandes", "cigales", "platanes", "amandiers")),
    Idea("espaces-verts", "Installer des jeux pour les tout-petits {loc}",
         "Il n'y a rien pour les enfants de moins de six ans {loc} : quelques jeux adaptés et "
         "clôturés seraient très utiles.",
         "Un toboggan, des jeux à ressort et un bac à sable, sur un sol souple et à l'ombre, "
         "permettraient aux familles de se retrouver près de chez elles.",
         ("square", "oliviers", "platanes", "promenade")),
    Idea("espaces-verts", "Mieux entretenir les massifs {loc}",
         "Les massifs sont laissés à l'abandon {loc} : mauvaises herbes, plantes mortes, "
         "déchets.",
         "Un entretien régulier, ou une replantation avec des plantes méditerranéennes peu "
         "gourmandes en eau, redonnerait belle allure à l'entrée du quartier.",
         ("amandiers", "avenue", "cigales", "carrefour")),
    Idea("espaces-verts", "Végétaliser la cour de l'école élémentaire",
         "Remplacer une partie du bitume de la cour de l'école par de la terre, des arbres et un "
         "petit potager.",
         "Les cours « oasis » sont plus fraîches l'été et plus agréables pour jouer. Les enfants "
         "pourraient participer aux plantations avec leurs enseignants.",
         ("ecole",)),
    Idea("espaces-verts", "Planter un verger partagé {loc}",
         "Quelques arbres fruitiers {loc}, entretenus et récoltés par les habitants.",
         "Figuiers, amandiers, grenadiers et oliviers poussent très bien ici. La cueillette "
         "serait ouverte à tous et l'entretien confié à une association.",
         ("vallon", "micocouliers", "oliviers")),
    Idea("espaces-verts", "Mettre des bancs à l'ombre {loc}",
         "Pas un banc à l'ombre {loc} : les promeneurs et les personnes âgées n'ont nulle part où "
         "se reposer.",
         "Quelques bancs avec dossier, sous les arbres existants, permettraient aux aînés de "
         "sortir plus souvent et plus longtemps.",
         ("promenade", "square", "amandiers", "arret")),
    Idea("espaces-verts", "Protéger les grands pins {loc}",
         "Les grands pins {loc} font partie du paysage du quartier. Il faut les protéger et les "
         "entretenir.",
         "Certains sont malades ou abîmés par les travaux. Un diagnostic par un arboriste et un "
         "classement comme arbres remarquables éviteraient qu'ils soient abattus.",
         ("vallon", "micocouliers", "platanes", "square")),
    Idea("espaces-verts", "Créer une aire de pique-nique {loc}",
         "Quelques tables et des poubelles {loc} pour pique-niquer en famille le week-end.",
         "Il faut aujourd'hui prendre la voiture pour pique-niquer au vert. Trois ou quatre "
         "tables à l'ombre suffiraient.",
         ("promenade", "vallon", "square")),
    Idea("espaces-verts", "Installer des nichoirs et un hôtel à insectes {loc}",
         "Des nichoirs et un hôtel à insectes {loc} pour favoriser les oiseaux et les "
         "pollinisateurs, fabriqués avec les enfants.",
         "Un atelier de fabrication avec l'école ou le centre social permettrait aux enfants de "
         "découvrir la biodiversité du quartier.",
         ("square", "promenade", "ecole", "oliviers")),
    # Commerces de proximité
    Idea("commerces-proximite", "Faire venir un camion de restauration le soir {loc}",
         "Un food-truck une ou deux fois par semaine {loc} animerait le quartier le soir.",
         "Pizza, cuisine du monde ou produits locaux : la ville pourrait proposer un emplacement "
         "à des commerçants ambulants, en tournant entre plusieurs jours.",
         ("amandiers", "platanes", "oliviers", "citystade")),
    Idea("commerces-proximite", "Ouvrir une épicerie de dépannage {loc}",
         "Pour un oubli de lait ou de pain, il faut aujourd'hui prendre la voiture. Une petite "
         "épicerie {loc} rendrait service.",
         "Même une épicerie ouverte quelques heures par jour, éventuellement associative, "
         "éviterait des trajets et créerait un lieu de passage.",
         ("oliviers", "platanes", "micocouliers")),
    Idea("commerces-proximite", "Installer un distributeur de billets {loc}",
         "Le distributeur de billets le plus proche est à vingt minutes à pied. Un distributeur "
         "{loc} aiderait les habitants et les commerces.",
         "Beaucoup de personnes âgées paient encore en espèces, tout comme au marché. La ville "
         "pourrait négocier avec une banque ou proposer un local.",
         ("amandiers", "avenue", "pharmacie")),
    Idea("commerces-proximite", "Couvrir une partie de la place des Amandiers pour le marché",
         "Une halle légère ou des voiles d'ombrage sur une partie de la place des Amandiers pour "
         "accueillir le marché par tous les temps.",
         "L'été, les étals souffrent du soleil, l'hiver du mistral. Une structure légère servirait "
         "aussi pour les fêtes et les vide-greniers.",
         ("amandiers",)),
    Idea("commerces-proximite", "Faciliter les terrasses des cafés {loc}",
         "Permettre aux cafés et restaurants {loc} d'installer des terrasses plus grandes l'été, "
         "sans gêner les piétons.",
         "Des terrasses animent la rue et renforcent le sentiment de sécurité. Des règles claires "
         "sur le bruit et le passage des piétons seraient à fixer avec les commerçants.",
         ("amandiers", "avenue")),
    Idea("commerces-proximite", "Aider l'installation d'une boulangerie {loc}",
         "Il n'y a pas de boulangerie {loc}. La ville pourrait aider un artisan à s'installer.",
         "Un loyer réduit la première année ou l'aide de la chambre des métiers permettrait à un "
         "jeune artisan de se lancer. C'est le commerce qui fait vivre un quartier.",
         ("oliviers", "platanes", "micocouliers", "vallon")),
    Idea("commerces-proximite", "Créer un point relais colis {loc}",
         "Un point relais {loc} éviterait d'aller chercher ses colis à l'autre bout de la ville.",
         "Un commerce existant pourrait l'accueillir, ce qui lui amènerait de nouveaux clients. "
         "Les casiers automatiques sont une autre solution.",
         ("amandiers", "oliviers", "platanes", "pharmacie")),
    Idea("commerces-proximite", "Afficher un plan des commerces et services {loc}",
         "Un plan du quartier avec les commerces, les services et les horaires, affiché {loc}.",
         "Les nouveaux habitants ne savent pas ce qui existe près de chez eux. Un plan mis à jour "
         "chaque année ferait connaître les commerçants et artisans du quartier.",
         ("arret", "amandiers", "platanes", "oliviers")),
    Idea("commerces-proximite", "Organiser une braderie des commerçants {loc}",
         "Une braderie deux fois par an {loc}, pour faire connaître les commerces du quartier.",
         "Les commerçants sortent leurs étals, les associations tiennent un stand, les enfants "
         "ont un atelier maquillage : une journée conviviale qui soutient l'économie locale.",
         ("amandiers", "avenue")),
    # Sécurité et tranquillité
    Idea("securite-tranquillite", "Renforcer l'éclairage {loc}",
         "Il fait très sombre le soir {loc}. Un meilleur éclairage rassurerait les habitants, "
         "surtout l'hiver.",
         "Certains lampadaires sont trop espacés ou masqués par les arbres. Des LED bien orientées "
         "éclaireraient mieux en consommant moins.",
         ("promenade", "vallon", "micocouliers", "parking", "arret", "citystade")),
    Idea("securite-tranquillite", "Plus de passages de la police municipale {loc}",
         "Une présence plus régulière de la police municipale {loc}, surtout en fin de journée, "
         "rassurerait les habitants.",
         "Il ne s'agit pas de surveiller tout le monde mais d'être visible et disponible. Des "
         "patrouilles à pied ou à vélo permettraient aussi de discuter avec les habitants.",
         ("citystade", "parking", "amandiers", "oliviers")),
    Idea("securite-tranquillite", "Réduire le bruit des deux-roues la nuit {loc}",
         "Des scooters et motos trafiqués passent à toute vitesse la nuit {loc} et réveillent tout "
         "le monde.",
         "Des contrôles ciblés sur les pots d'échappement et des aménagements pour casser la "
         "vitesse permettraient de retrouver le calme.",
         ("avenue", "lavandes", "vallon", "platanes")),
    Idea("securite-tranquillite", "Installer un miroir de sécurité {loc}",
         "La sortie est sans visibilité {loc}. Un miroir convexe éviterait des accrochages.",
         "C'est un équipement peu coûteux qui rend service aux automobilistes comme aux "
         "cyclistes, en attendant un aménagement plus complet.",
         ("carrefour", "micocouliers", "vallon", "cigales", "oliviers")),
    Idea("securite-tranquillite", "Un agent de traversée aux heures de sortie {loc}",
         "Un agent aux heures d'entrée et de sortie des classes {loc} pour faire traverser les "
         "enfants en toute sécurité.",
         "Les enfants du quartier marchent de plus en plus seuls vers l'école. Une présence "
         "adulte au point de traversée le plus dangereux rassurerait les parents.",
         ("carrefour", "arret", "micocouliers")),
    Idea("securite-tranquillite", "Créer un numéro unique pour signaler les problèmes du quartier",
         "Un seul numéro, ou une application simple, pour signaler un lampadaire en panne, un "
         "dépôt sauvage ou un nid-de-poule, avec un suivi de la demande.",
         "Aujourd'hui, on ne sait jamais qui appeler. Un service unique avec un numéro de suivi "
         "permettrait de savoir quand le problème sera réglé.",
         ("quartier",)),
    Idea("securite-tranquillite", "Afficher une charte de bon voisinage {loc}",
         "Une charte rédigée avec les habitants {loc}, rappelant les règles sur le bruit, les "
         "déchets et le stationnement.",
         "Beaucoup de conflits viennent de malentendus. Une charte courte, écrite ensemble et "
         "affichée dans les halls, aiderait chacun à connaître les règles.",
         ("platanes", "oliviers", "cigales")),
    Idea("securite-tranquillite", "Réparer rapidement les lampadaires en panne {loc}",
         "Plusieurs lampadaires sont en panne depuis des semaines {loc}.",
         "Un contrôle mensuel de l'éclairage public et un délai d'intervention garanti éviteraient "
         "que des rues restent dans le noir pendant des mois.",
         ("lavandes", "cigales", "oliviers", "vallon", "micocouliers")),
    Idea("securite-tranquillite", "Baliser un chemin sûr vers l'école depuis {nom}",
         "Un itinéraire piéton balisé et sécurisé depuis {nom} jusqu'à l'école, pour que les "
         "enfants puissent y aller seuls.",
         "Des clous au sol, des traversées protégées et des commerçants « refuges » le long du "
         "parcours rassureraient les parents.",
         ("platanes", "oliviers", "vallon", "micocouliers")),
    # Jeunesse
    Idea("jeunesse", "Installer un panier de basket {loc}",
         "Un panier de basket {loc} permettrait aux jeunes de jouer près de chez eux.",
         "Un simple panier sur un sol en enrobé suffit. Les jeunes se sont proposés pour "
         "participer au choix de l'emplacement, loin des fenêtres.",
         ("oliviers", "platanes", "vallon")),
    Idea("jeunesse", "Créer un petit skatepark {loc}",
         "Quelques modules de skate et de trottinette {loc} pour les jeunes qui n'ont pas d'autre "
         "endroit pour rouler.",
         "Aujourd'hui, ils roulent sur les parkings et les bancs publics. Un espace dédié, même "
         "modeste, éviterait des conflits.",
         ("vallon", "citystade", "promenade")),
    Idea("jeunesse", "Proposer de l'aide aux devoirs {loc}",
         "Un soutien scolaire gratuit deux soirs par semaine {loc}, animé par des bénévoles et des "
         "étudiants.",
         "Tous les parents ne peuvent pas aider leurs enfants. Des étudiants d'Aix pourraient "
         "s'engager en échange d'une reconnaissance dans leur cursus.",
         ("platanes", "oliviers", "quartier")),
    Idea("jeunesse", "Organiser des sorties pour les ados pendant les vacances",
         "Des sorties encadrées (plage, montagne Sainte-Victoire, musées) pour les 12-17 ans du "
         "quartier pendant les vacances scolaires.",
         "Beaucoup de jeunes ne partent pas en vacances. Des sorties à prix réduit, préparées avec "
         "eux, leur feraient découvrir la région.",
         ("quartier",)),
    Idea("jeunesse", "Créer un conseil des jeunes du quartier",
         "Un conseil de jeunes de 12 à 18 ans, avec un petit budget, pour porter leurs propres "
         "projets pour le quartier.",
         "Les jeunes ont des idées mais peu d'occasions de les faire entendre. Un conseil "
         "accompagné par un animateur leur apprendrait aussi comment fonctionne la ville.",
         ("quartier",)),
    Idea("jeunesse", "Ouvrir le gymnase de l'école le samedi",
         "Ouvrir le gymnase de l'école le samedi pour des activités sportives encadrées.",
         "Le gymnase reste fermé tout le week-end alors que les jeunes manquent d'équipements. "
         "Des associations sportives pourraient assurer l'encadrement.",
         ("ecole",)),
    Idea("jeunesse", "Installer des agrès de sport en plein air {loc}",
         "Barres de traction, barres parallèles, bancs d'abdominaux {loc} pour faire du sport "
         "gratuitement.",
         "Ces équipements sont utilisés par les jeunes comme par les adultes, et demandent très "
         "peu d'entretien.",
         ("promenade", "citystade", "vallon", "square")),
    Idea("jeunesse", "Un tournoi de foot inter-quartiers au city-stade",
         "Un tournoi de football chaque printemps au city-stade, avec des équipes des quartiers "
         "voisins.",
         "Un événement sportif crée des liens entre jeunes de différents quartiers et donne "
         "envie de prendre soin de l'équipement.",
         ("citystade",)),
    Idea("jeunesse", "Proposer des stages sportifs et culturels l'été",
         "Des stages d'une semaine en juillet (sport, théâtre, musique, vidéo) pour les enfants "
         "qui restent dans le quartier.",
         "Les centres de loisirs sont complets très tôt. Des stages courts, à petit prix, "
         "proposés sur place, occuperaient utilement les journées d'été.",
         ("quartier",)),
    Idea("jeunesse", "Aménager un espace pour les jeunes avec wifi {loc}",
         "Un espace abrité avec des bancs, des prises et du wifi gratuit {loc}, où les jeunes "
         "peuvent se retrouver.",
         "Les jeunes se réunissent de toute façon : autant leur proposer un endroit agréable, "
         "choisi avec eux et éloigné des logements.",
         ("amandiers", "platanes", "citystade")),
    # Lien social
    Idea("lien-social", "Installer une boîte à livres {loc}",
         "Une boîte à livres {loc} pour échanger gratuitement livres et revues entre voisins.",
         "Une ancienne cabine ou une armoire étanche suffit. Des habitants sont prêts à s'en "
         "occuper et à la garder en bon état.",
         ("amandiers", "square", "arret", "platanes", "oliviers")),
    Idea("lien-social", "Organiser un repas de quartier {loc}",
         "Un grand repas partagé {loc}, où chacun apporte un plat, pour se rencontrer entre "
         "voisins.",
         "Une fois par an, au début de l'été, avec des tables prêtées par la ville. C'est simple, "
         "convivial, et les nouveaux habitants s'y sentent tout de suite accueillis.",
         ("amandiers", "square", "oliviers", "platanes", "promenade")),
    Idea("lien-social", "Créer un panneau d'affichage associatif {loc}",
         "Un panneau d'affichage libre {loc} pour les associations, les annonces d'entraide et les "
         "événements du quartier.",
         "Beaucoup d'informations ne circulent que sur les réseaux sociaux, que tout le monde "
         "n'utilise pas. Un panneau vitré, relevé chaque semaine, toucherait tout le monde.",
         ("amandiers", "arret", "platanes", "oliviers", "ecole")),
    Idea("lien-social", "Proposer des ateliers numériques pour les seniors",
         "Des ateliers gratuits pour apprendre à utiliser un smartphone, faire ses démarches en "
         "ligne et parler en vidéo avec sa famille.",
         "De plus en plus de démarches se font uniquement en ligne. Des ateliers en petits "
         "groupes, près de chez soi, éviteraient que les aînés restent sur le bord du chemin.",
         ("quartier",)),
    Idea("lien-social", "Ouvrir un café-réparation {loc}",
         "Un café-réparation une fois par mois {loc} pour réparer ensemble petits appareils, vélos "
         "et vêtements.",
         "Des bénévoles bricoleurs partagent leur savoir-faire autour d'un café. On jette moins, "
         "on apprend et on se rencontre.",
         ("amandiers", "platanes", "oliviers")),
    Idea("lien-social", "Organiser un vide-grenier chaque année {loc}",
         "Un vide-grenier annuel {loc}, réservé en priorité aux habitants du quartier.",
         "C'est l'occasion de donner une seconde vie aux objets et de rencontrer ses voisins. Les "
         "bénéfices des emplacements pourraient financer la fête de quartier.",
         ("amandiers", "promenade", "oliviers", "avenue")),
    Idea("lien-social", "Lancer une zone de gratuité {loc}",
         "Une journée où chacun dépose ce dont il n'a plus besoin et prend ce qui lui est utile, "
         "{loc}.",
         "Vêtements, jouets, vaisselle : rien ne se vend, tout se donne. Une association "
         "pourrait l'organiser deux fois par an.",
         ("amandiers", "square", "platanes")),
    Idea("lien-social", "Des cafés-rencontres entre voisins {loc}",
         "Un café offert un samedi matin par mois {loc}, pour faire connaissance et échanger sur "
         "la vie du quartier.",
         "Un moment simple pour rencontrer ses voisins, accueillir les nouveaux arrivants et "
         "faire remonter les petits problèmes du quotidien.",
         ("amandiers", "platanes", "oliviers")),
    Idea("lien-social", "Créer un annuaire d'entraide entre voisins",
         "Un carnet, papier et en ligne, où les voisins indiquent ce qu'ils peuvent offrir : "
         "bricolage, garde d'animaux, covoiturage, soutien scolaire.",
         "Beaucoup de gens aimeraient rendre service mais ne savent pas à qui. Un annuaire tenu "
         "par une association permettrait ces échanges en confiance.",
         ("quartier",)),
    Idea("lien-social", "Projeter des films en plein air l'été {loc}",
         "Deux ou trois séances de cinéma en plein air en juillet {loc}, gratuites et ouvertes à "
         "tous.",
         "Un écran gonflable, quelques chaises et un film choisi par les habitants : une soirée "
         "familiale qui fait vivre le quartier.",
         ("square", "promenade", "amandiers", "citystade")),
]


class MergeIdea(NamedTuple):
    theme: str
    title: str
    summary: str
    body: str
    place: str
    into: str  # key of the workshop action it repeats
    late: bool = False  # published first and supported, merged later


# Contributions that repeat a workshop action: the moderator merges them.
MERGE_IDEAS = [
    MergeIdea("mobilite-stationnement", "Un feu tricolore pour traverser devant l'école",
              "Un feu avec bouton d'appel devant l'école, les voitures ne s'arrêtent jamais au "
              "passage piéton.",
              "Tous les matins, c'est la même angoisse. Un feu piéton réglerait le problème.",
              "ecole", "traversee-ecole", late=True),
    MergeIdea("mobilite-stationnement", "Un bus le dimanche matin pour aller au marché",
              "Il n'y a presque pas de bus le dimanche : impossible d'aller au marché du centre "
              "sans voiture.",
              "Un bus toutes les demi-heures le dimanche matin suffirait pour les courses.",
              "arret", "bus-soir-samedi", late=True),
    MergeIdea("espaces-verts", "Des potagers collectifs pour ceux qui vivent en appartement",
              "Des parcelles de potager pour les habitants qui n'ont pas de jardin.",
              "Beaucoup de familles des immeubles aimeraient cultiver quelques légumes. Il y a "
              "de la place sur le terrain vague du chemin des Micocouliers.",
              "micocouliers", "jardin-partage"),
    MergeIdea("commerces-proximite", "Un marché hebdomadaire dans le quartier",
              "Un petit marché une fois par semaine pour acheter des fruits et légumes frais sans "
              "aller en ville.",
              "Même quatre ou cinq stands suffiraient à faire vivre la place.",
              "amandiers", "marche-producteurs"),
    MergeIdea("securite-tranquillite", "Éclairer le raccourci vers l'arrêt de bus",
              "Le petit chemin qui descend vers l'arrêt de bus est dans le noir complet l'hiver.",
              "Je fais le grand tour par l'avenue pour ne pas passer par là après 18 h.",
              "platanes", "eclairage-platanes", late=True),
    MergeIdea("jeunesse", "Refaire le sol du city-stade",
              "Le revêtement du city-stade est troué, les jeunes se blessent en jouant.",
              "Il faudrait aussi remplacer les filets des buts.",
              "citystade", "city-stade"),
    MergeIdea("lien-social", "Une salle commune pour les associations du quartier",
              "Les associations n'ont aucun local pour se réunir dans le quartier.",
              "Une salle à réserver, même petite, changerait la vie de nos associations.",
              "amandiers", "maison-quartier"),
    MergeIdea("proprete", "Des rendez-vous pour l'enlèvement des encombrants",
              "Pouvoir prendre rendez-vous pour faire enlever un meuble ou un appareil, sans "
              "voiture.",
              "Les meubles restent des semaines sur le trottoir faute de solution simple.",
              "quartier", "encombrants-rdv"),
    MergeIdea("espaces-verts", "De l'ombre sur la place des Amandiers",
              "La place est un four en été : il faut y replanter des arbres.",
              "Il ne reste qu'un amandier. Des arbres rendraient la place agréable de nouveau.",
              "amandiers", "arbres-amandiers"),
    MergeIdea("lien-social", "Rendre visite aux personnes âgées isolées",
              "Organiser des visites régulières chez les personnes âgées seules du quartier.",
              "Pendant la canicule, ma voisine n'a vu personne pendant dix jours. On peut faire "
              "mieux entre voisins.",
              "quartier", "voisins-solidaires"),
]


class RejectIdea(NamedTuple):
    titles: tuple[str, ...]
    summary: str
    body: str
    reason: str
    theme: str | None = None


# Contributions the moderator rejects, with the polite reason shown to their author.
REJECT_IDEAS = [
    RejectIdea(
        ("Faire taire le chien du voisin du 14 rue des Lavandes",
         "Que le voisin du dessus arrête ses travaux le dimanche"),
        "Mon voisin fait du bruit sans arrêt et ne répond pas quand je lui en parle.",
        "Cela dure depuis des mois, je n'en peux plus.",
        "Merci pour votre message. Il concerne un différend entre voisins qui met en cause des "
        "personnes identifiables : nous ne pouvons pas le publier. Le service de médiation de la "
        "mairie peut vous accompagner.",
        "securite-tranquillite",
    ),
    RejectIdea(
        ("Cours de yoga à domicile : premier cours offert",
         "Débroussaillage et entretien de jardins, devis gratuit"),
        "Professionnel installé dans le quartier, je propose mes services aux habitants.",
        "Tarifs préférentiels pour les voisins, n'hésitez pas à me contacter.",
        "Merci de votre intérêt pour la démarche. Les contributions sont réservées aux "
        "propositions pour le quartier : les annonces commerciales ne peuvent pas y figurer. Le "
        "panneau d'affichage de la place des Amandiers est à votre disposition.",
    ),
    RejectIdea(
        ("Baisser le prix de l'essence", "Augmenter les allocations familiales"),
        "Le coût de la vie est trop élevé pour les familles du quartier.",
        "C'est la priorité numéro un pour beaucoup d'entre nous.",
        "Merci pour cette contribution. Elle relève de décisions nationales et non de la "
        "commune : elle sort du cadre de ce plan d'actions pour le quartier.",
    ),
    RejectIdea(
        ("Votez pour la liste qui défend vraiment le quartier",
         "Surtout ne pas revoter pour l'équipe sortante"),
        "Appel à voter pour une liste aux prochaines élections municipales.",
        "Il est temps de changer les choses.",
        "Merci de votre participation. En période électorale, la concertation reste neutre : les "
        "appels à voter pour ou contre une liste ne peuvent pas être publiés. Vous pouvez en "
        "revanche proposer une action concrète pour le quartier.",
    ),
    RejectIdea(
        ("Tout est à refaire dans ce quartier", "Il faut que ça change"),
        "Rien ne va, personne ne s'occupe de nous.",
        "",
        "Merci pour votre message. Tel quel, il est trop général pour devenir une action : "
        "pourriez-vous préciser ce qui vous gêne et ce que vous proposez ? Vous pouvez déposer "
        "une nouvelle contribution à tout moment.",
    ),
    RejectIdea(
        ("Covoiturage tous les matins vers Marseille", "Cherche covoitureurs pour la zone d'Aix"),
        "Je cherche des voisins pour partager les trajets du matin, appelez-moi au 06 12 34 56 78.",
        "Départ vers 7 h 15, retour vers 18 h.",
        "Merci pour cette idée de covoiturage. Votre message contient un numéro de téléphone "
        "personnel que nous ne pouvons pas publier. Vous pouvez reformuler la proposition, par "
        "exemple un point de covoiturage pour le quartier, sans vos coordonnées.",
        "mobilite-stationnement",
    ),
    RejectIdea(
        ("Quel jour passent les encombrants ?", "Qui appeler pour un lampadaire en panne ?"),
        "Je ne sais pas à qui m'adresser, quelqu'un peut-il me renseigner ?",
        "",
        "Merci pour votre question. Ce n'est pas une proposition, elle ne sera donc pas "
        "publiée ; le service Allô Mairie pourra vous répondre. L'idée de mieux informer les "
        "habitants peut, elle, faire l'objet d'une contribution.",
    ),
    RejectIdea(
        ("Que la ville repeigne la façade de notre copropriété",
         "Refaire le parking privé de notre résidence aux frais de la ville"),
        "Notre copropriété est en mauvais état et le syndic ne fait rien.",
        "La ville devrait prendre en charge ces travaux.",
        "Merci pour votre contribution. Elle concerne une propriété privée, sur laquelle la "
        "commune ne peut pas intervenir : nous ne pouvons pas la retenir dans ce plan d'actions.",
        "proprete",
    ),
]

# Added by residents under some contributions, after the idea's own text.
PERSONAL_NOTES = [
    "J'habite le quartier depuis vingt ans et la situation ne s'arrange pas.",
    "Nous en avons parlé entre voisins : nous sommes plusieurs à le souhaiter.",
    "Je suis prête à donner un coup de main pour le mettre en place.",
    "Ce serait un vrai plus pour les familles comme pour les aînés.",
    "Je passe par là tous les jours avec mes enfants.",
    "C'est une petite dépense pour un vrai changement au quotidien.",
    "D'autres quartiers d'Aix l'ont fait, pourquoi pas nous ?",
    "Idée à tester d'abord quelques mois, puis à garder si ça marche.",
    "Je suis arrivé dans le quartier l'an dernier et c'est la première chose qui m'a frappé.",
    "Les commerçants avec qui j'en ai parlé sont d'accord.",
    "En tant que parent d'élève, je pense que c'est prioritaire.",
    "Ma mère, qui a 82 ans, serait la première à en profiter.",
    "On pourrait associer le conseil syndical de la résidence.",
    "Pas besoin de grands travaux : un peu de bon sens suffit.",
    "Cela fait des années qu'on le demande.",
    "Merci pour cette démarche, c'est la première fois qu'on nous demande notre avis.",
]

DOOR_TO_DOOR_NOTE = "*Proposition recueillie en porte-à-porte par l'ambassadeur, avec l'accord de l'habitant·e.*"
PAPER_NOTE = "*Proposition reçue sur formulaire papier et saisie par l'équipe d'animation.*"

# Comments under popular contributions (those under workshop actions are with the actions).
CONTRIBUTION_COMMENTS = [
    "Bonne idée, simple à mettre en place. Il faudrait juste prévoir qui s'en occupe ensuite.",
    "D'accord sur le constat, mais attention au coût d'entretien : mieux vaut moins "
    "d'équipements, mais bien entretenus.",
    "Je ne suis pas sûre que ce soit la priorité du quartier, mais pourquoi pas en complément des "
    "actions des ateliers.",
    "Je soutiens, et je connais déjà deux voisins prêts à s'impliquer.",
    "Cela rejoint une des actions des ateliers : les deux pourraient être présentées ensemble "
    "aux candidats.",
    "Très concret, c'est exactement ce qu'on attend des candidats.",
    "Je suis plutôt contre : l'emplacement proposé est trop près des logements. Un peu plus loin, "
    "ce serait parfait.",
    "Idée intéressante. Est-ce qu'on sait combien cela coûterait ? Ce serait utile pour le "
    "plateau avec les candidats.",
    "Oui ! Et pourquoi ne pas le faire avec les enfants de l'école ?",
    "Nous avions fait la même demande il y a trois ans, sans réponse. J'espère que cette fois "
    "sera la bonne.",
    "Pas convaincu : on a déjà essayé et ça n'a pas tenu. Il faudrait comprendre pourquoi avant "
    "de recommencer.",
    "Excellente proposition, qui profiterait aussi aux quartiers voisins.",
    "À condition de consulter les riverains directement concernés avant de décider.",
    "C'est un petit geste qui changerait beaucoup le quotidien. Je soutiens.",
    "Pourquoi pas, mais il faut penser à l'accessibilité pour les personnes en fauteuil.",
    "Bonne idée, à tester d'abord sur quelques mois.",
    "Je rejoins cette proposition, c'est aussi un sujet de sécurité pour les enfants.",
    "Merci d'avoir pensé à ça, on n'en parle jamais.",
    "Plutôt d'accord, mais je préférerais que l'argent aille d'abord à l'éclairage et aux "
    "trottoirs.",
    "Mes enfants en parlent depuis longtemps, ils seront ravis.",
    "Ce serait bien d'avoir l'avis des personnes âgées du quartier, qui ne viennent pas forcément "
    "sur ce site.",
    "Je ne vois pas bien l'intérêt ici : il existe déjà quelque chose de semblable à dix minutes.",
    "Bravo pour l'idée. Une association du quartier pourrait la porter avec le soutien de la ville.",
]


# --- The live event: the candidates' TV set (demo/live_event.py) ------------------------------------
# The seven lists of CANDIDATES, in the same order (candidate1@ … candidate7@ write their reactions):
# (name of the head of the list, list name, representative on the set or "", place on the official
# panel drawn by the prefecture). People and lists are fictional.
LIVE_CANDIDATES = [
    ("Bernard Castellan", "Aix au Quotidien", "Rémi Audibert", 3),
    ("Hélène Marchetti", "Aix Citoyenne et Verte", "", 6),
    ("Philippe Roux-Daumas", "Aix Ensemble", "Nadège Ferrand", 1),
    ("Yanis Belkacem", "Aix, Ville Vivante", "", 5),
    ("Laurent Peyrolles", "Cap Aix Demain", "", 2),
    ("Sylvie Granier", "Le Pays d'Aix Autrement", "Agathe Morel", 7),
    ("Jean-Marc Vidal", "Renouveau aixois", "Thomas Lemaire", 4),
]

# The seed of the reply order, published with it a week before the show (anyone can recompute it).
LIVE_ORDER_SEED = "saint-jerome-plateau-1"
LIVE_PLACE = "Maison de quartier des Amandiers, Aix-en-Provence"
LIVE_STREAM_URL = "https://webtv.example.org/saint-jerome"
LIVE_FRAME_ORIGINS = ["https://webtv.example.org"]
LIVE_TITLES = (
    "Plateau des candidats : les 20 actions des ateliers",
    "Second plateau : les propositions des habitants",
)

# Per workshop action: what the candidates talk about (a noun phrase with its article, after « pour »,
# « sur » or at the start of a sentence) and improvements a candidate may suggest on the set.
LIVE_TOPICS = {
    "traversee-ecole": ("le plateau surélevé devant l'école", (
        "Ajouter un radar pédagogique en haut de la descente, avant l'école.",
        "Confier la traversée à des parents volontaires formés, en plus de l'agent.")),
    "zone-rencontre-lavandes": ("la zone de rencontre rue des Lavandes", (
        "Tester six mois avec du mobilier provisoire avant les travaux définitifs.",)),
    "piste-cyclable-centre": ("la piste cyclable vers le centre-ville", (
        "La séparer physiquement de la chaussée sur toute la descente de l'avenue.",
        "Prévoir des arceaux vélos abrités à l'arrêt Saint-Jérôme.")),
    "bus-soir-samedi": ("les bus du samedi et du soir", (
        "Commencer par un bus à la demande après 21 h, moins coûteux qu'une ligne complète.",)),
    "stationnement-commerces": ("le stationnement minute devant les commerces", (
        "Limiter à 20 minutes avec un capteur plutôt qu'un disque, contrôlé par la police municipale.",)),
    "conteneurs-enterres": ("les conteneurs enterrés aux Oliviers", (
        "Ajouter un conteneur pour le verre et les biodéchets au même endroit.",)),
    "encombrants-rdv": ("la collecte des encombrants sur rendez-vous", (
        "Permettre la prise de rendez-vous par téléphone, pas seulement en ligne.",)),
    "proprete-promenade": ("la propreté de la promenade du Vallon", (
        "Faire choisir l'emplacement des poubelles par les riverains lors d'une balade.",)),
    "jardin-partage": ("le jardin partagé des Micocouliers", (
        "Réserver des parcelles à l'école et aux résidents des Platanes.",
        "Installer un récupérateur d'eau de pluie dès l'ouverture.")),
    "arbres-amandiers": ("les arbres d'ombrage place des Amandiers", (
        "Choisir des essences locales peu gourmandes en eau, plantées avec l'école.",)),
    "square-cigales": ("les bancs et la fontaine du square des Cigales", (
        "Prévoir des bancs avec accoudoirs pour les personnes âgées.",)),
    "marche-producteurs": ("le marché de producteurs du mercredi", (
        "Commencer par un marché mensuel pour vérifier que les producteurs suivent.",)),
    "local-vacant": ("la reprise du local vide de l'avenue", (
        "Un loyer réduit les deux premières années pour un commerce choisi avec les habitants.",)),
    "eclairage-platanes": ("l'éclairage du chemin des Platanes", (
        "Un éclairage à détection de présence, pour économiser l'énergie.",)),
    "mediation-ete": ("la médiation de nuit l'été", (
        "Recruter des médiateurs qui connaissent le quartier, formés avec le centre social.",)),
    "city-stade": ("la rénovation du city-stade", (
        "Associer les jeunes au choix des équipements et des horaires.",
        "Ajouter un éclairage coupé à 22 h pour respecter les riverains.")),
    "accueil-ados": ("l'accueil des adolescents", (
        "L'ouvrir aussi le vendredi soir, avec une aide aux devoirs.",)),
    "maison-quartier": ("la maison de quartier", (
        "Un planning des salles en ligne et au tableau d'affichage, géré par un comité d'habitants.",)),
    "fete-quartier": ("la fête de quartier annuelle", (
        "La faire coïncider avec la restitution du plan d'actions chaque année.",)),
    "voisins-solidaires": ("le réseau de voisins solidaires", (
        "S'appuyer sur la pharmacie et le facteur pour repérer les personnes isolées.",)),
}

# Sentences the facilitator typed on the set, by position ({objet}: the topic above; {Objet}: capitalised).
LIVE_SUMMARIES = {
    "commits": (
        "S'engage à réaliser {objet} dès la première année du mandat, avec une ligne au premier budget.",
        "Oui, sans réserve : {objet} sera dans le programme de quartier, avec un point d'étape public à un an.",
        "Engagement ferme pour {objet} ; propose que les habitants des ateliers suivent le chantier.",
        "{Objet} : engagement pris, « c'est simple, peu coûteux et attendu depuis des années ».",
    ),
    "favourable": (
        "Favorable pour {objet}. Veut d'abord chiffrer le coût avec les services avant de donner une date.",
        "Trouve l'idée juste ; {objet} rejoint ce que sa liste propose pour les quartiers.",
        "Favorable, si le financement se trouve dans le budget d'investissement de la ville.",
        "{Objet} : d'accord sur le principe, à inscrire dans un plan pluriannuel.",
        "Favorable ; rappelle qu'un projet semblable fonctionne déjà dans un autre quartier d'Aix.",
    ),
    "with_changes": (
        "D'accord sur le fond pour {objet}, mais propose de modifier le projet (voir l'amélioration).",
        "Favorable avec une condition : revoir {objet} pour le rendre moins coûteux à entretenir.",
        "{Objet} : oui, avec un ajustement proposé en direct, que les habitants ont applaudi.",
        "Favorable si le projet évolue ; propose une variante testée d'abord sur quelques mois.",
    ),
    "reserved": (
        "Réservé : {objet} relève en partie de la Métropole ; s'engage seulement à porter la demande.",
        "Doute du coût annoncé pour {objet} et préfère une étude avant de s'engager.",
        "Réservé : craint des conflits d'usage et veut d'abord consulter les riverains.",
        "{Objet} : « pas contre », mais ce n'est pas sa priorité pour le quartier.",
    ),
    "unfavourable": (
        "Défavorable : juge la dépense non prioritaire face à l'entretien de l'existant.",
        "Contre {objet} en l'état : estime que cela déplacerait le problème au lieu de le régler.",
        "Défavorable ; préfère consacrer ce budget à la sécurité des trottoirs.",
    ),
    "no_answer": (
        "Pas de réponse.",
        "Pas de réponse : n'a pas souhaité se prononcer sans consulter sa liste.",
        "Pas de réponse sur ce point ; a parlé d'un autre sujet pendant son temps de parole.",
    ),
}

# Each list's leaning, by theme: a higher figure, more commitments (1 is neutral).
LIVE_LEANINGS = [
    {"proprete": 1.6, "securite-tranquillite": 1.3},
    {"espaces-verts": 1.8, "mobilite-stationnement": 1.4, "lien-social": 1.2},
    {"lien-social": 1.7, "jeunesse": 1.4},
    {"jeunesse": 1.6, "commerces-proximite": 1.5, "lien-social": 1.2},
    {"securite-tranquillite": 1.8, "commerces-proximite": 1.2, "espaces-verts": 0.7},
    {"mobilite-stationnement": 1.5, "proprete": 1.2},
    {"commerces-proximite": 1.4, "securite-tranquillite": 1.2, "jeunesse": 0.8},
]

# Written by the candidates' accounts before the show, on their own page (candidat index, action key,
# position, text).
LIVE_WRITTEN = [
    (1, "arbres-amandiers", "commits",
     "Nous planterons au moins quarante arbres sur la place et ses abords pendant le mandat, en commençant "
     "par le côté de la pharmacie, le plus exposé l'été."),
    (1, "jardin-partage", "favourable",
     "Le jardin partagé est une très bonne idée. Nous demanderons aux services une analyse du sol de la friche "
     "avant tout aménagement."),
    (2, "maison-quartier", "commits",
     "La maison de quartier est au cœur de notre projet pour les quartiers nord : nous l'ouvrirons dans un "
     "local de la ville déjà identifié."),
    (4, "eclairage-platanes", "commits",
     "L'éclairage du chemin des Platanes sera fait dans les six premiers mois : c'est une question de sécurité."),
    (4, "mediation-ete", "with_changes",
     "Nous préférons une présence de la police municipale les soirs d'été, avec des médiateurs en appui."),
    (5, "bus-soir-samedi", "reserved",
     "Les bus relèvent de la Métropole. Nous porterons la demande, mais nous ne promettrons pas ce qui ne "
     "dépend pas de la mairie."),
    (3, "city-stade", "commits",
     "Rénovation du city-stade en 2027, avec un comité de jeunes pour choisir les équipements."),
    (6, "local-vacant", "favourable",
     "Nous étudierons un loyer réduit pour un commerce de proximité choisi avec les habitants."),
    (0, "encombrants-rdv", "commits",
     "La collecte sur rendez-vous sera étendue à tout le quartier, avec une prise de rendez-vous par téléphone."),
    (3, "fete-quartier", "favourable",
     "Une fête par an, oui, et la ville prêtera le matériel (tables, scène, sono) gratuitement."),
]

# Questions sent from the live page during the show: (text, action key, fate: approved, shown, rejected).
LIVE_QUESTIONS = [
    ("Pour le plateau devant l'école : qui paiera l'agent de traversée, la ville ou l'école ?",
     "traversee-ecole", "shown"),
    ("Les bus du soir, ce sera avant ou après les travaux de l'avenue ?", "bus-soir-samedi", "approved"),
    ("Est-ce que le jardin partagé sera ouvert aux habitants qui n'ont pas de voiture pour venir ?",
     "jardin-partage", "shown"),
    ("Tous des menteurs, vous ne ferez rien de tout ça.", "local-vacant", "rejected"),
    ("Le city-stade sera-t-il fermé la nuit ? Le bruit est un vrai problème l'été.", "city-stade", "shown"),
    ("Pouvez-vous parler plus fort, on n'entend rien au fond de la salle ?", None, "rejected"),
]

# What each list's speaker tends to add (one may close a summary), in LIVE_CANDIDATES order.
LIVE_ASIDES = [
    ("Priorité à l'entretien de l'existant.", "Veut un calendrier précis, pas des promesses.",
     "Propose un point chaque trimestre avec le comité de quartier."),
    ("Insiste sur la végétalisation et l'eau.", "Veut associer l'école au projet.",
     "Rappelle l'urgence des îlots de chaleur."),
    ("Pense d'abord aux personnes âgées et aux familles.", "Veut y associer le centre social.",
     "Parle d'un budget participatif par quartier."),
    ("Veut que les jeunes soient associés.", "Propose d'en faire un moment festif du quartier.",
     "Cite un exemple réussi à Montpellier."),
    ("Insiste sur la maîtrise des dépenses.", "Veut un bilan chiffré après un an.",
     "Lie le sujet à la tranquillité publique."),
    ("Rappelle le rôle de la Métropole.", "Veut une approche à l'échelle du pays d'Aix.",
     "Propose une convention avec la Métropole."),
    ("Propose un signalement par application.", "Veut un élu référent pour le quartier.",
     "Cite un projet semblable à Pertuis."),
]
