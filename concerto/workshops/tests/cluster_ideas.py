"""A realistic French wall (about thirty ideas) for the theme suggester's tests, by topic."""

IDEAS = {
    "stationnement": [
        "Trop de voitures garées sur le trottoir devant la pharmacie",
        "Plus de places de stationnement près du marché le samedi",
        "Le parking de la gare est toujours plein dès 8 heures",
        "Stationnement sauvage rue des Lilas, les poussettes passent sur la route",
        "Un parking relais à l'entrée du quartier",
        "Les camions de livraison se garent en double file",
    ],
    "bancs": [
        "Des bancs à l'ombre sur la place de l'église",
        "Il manque des bancs le long de l'avenue pour les personnes âgées",
        "Remplacer les bancs cassés du square Pasteur",
        "Un banc près de l'arrêt de bus pour attendre assis",
        "Des bancs avec dossier et accoudoirs, plus faciles pour se relever",
    ],
    "eclairage": [
        "L'éclairage de la rue des Acacias est en panne depuis un mois",
        "Le passage sous la voie ferrée est trop sombre le soir",
        "Des lampadaires plus nombreux dans l'allée du parc",
        "Un éclairage qui s'allume au passage pour économiser l'énergie",
        "On ne voit rien la nuit près du stade, il faut de la lumière",
    ],
    "ecole": [
        "Sécuriser la sortie de l'école Jules Ferry avec une rue scolaire",
        "Les voitures roulent trop vite devant l'école maternelle",
        "Un passage piéton surélevé devant le groupe scolaire",
        "Fermer la rue de l'école aux voitures aux heures d'entrée et de sortie",
        "Des agents pour faire traverser les enfants à la sortie de l'école",
    ],
    "proprete": [
        "Plus de poubelles dans le parc",
        "Les poubelles débordent le lundi matin rue Victor Hugo",
        "Ramasser les déchets près du city stade",
    ],
    "divers": [
        "Une fête des voisins chaque année",
        "Un marché de producteurs le dimanche",
        "Ouvrir la médiathèque le dimanche après-midi",
        "Ce qui va bien : la boulangerie et le café associatif",
    ],
}
