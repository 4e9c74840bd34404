"""Names, hobbies, previous employers and bio templates for the people of the demo company."""

# Embedded rather than Faker, which is a test-only dependency. Names from many cultures, kept
# apart only to pick plausible pronouns for the people who show them.
FEMININE = """
Olivia Emma Amara Sofia Isabella Chloe Aisha Fatima Priya Ananya Meera Kavya Mei Yuki Hana Sakura
Seo-yeon Linh Mai Thao Maria Camila Valentina Lucía Gabriela Inês Beatriz Ana Chiara Giulia Elena
Anna Katarzyna Zofia Olga Daria Ingrid Astrid Freya Sigrid Amélie Lena Clara Léa Camille Zoë Niamh
Siobhán Aoife Chiamaka Ngozi Adaeze Folake Abena Ama Wanjiru Amina Hodan Tigist Layla Yasmin Shirin
Leila Noa Tamar Elif Zeynep Mariam Aroha Leilani Nadia Rosa Grace Hannah Sarah Emily Ruth Imani
Thandiwe Nomvula Xin Jing Siti Dewi Ayu Carmen Pilar Rania Dalia
""".split()
MASCULINE = """
Liam Noah James Oliver Ethan Lucas Mateo Santiago Diego Alejandro Javier Carlos João Pedro Thiago
Rafael Luca Marco Giovanni Matteo Pierre Louis Hugo Antoine Jonas Felix Lukas Maximilian Søren Erik
Lars Magnus Piotr Tomasz Jakub Dmitri Ivan Oleksandr Andriy Nikos Yannis Mehmet Emre Omar Yusuf
Hassan Karim Tariq Reza Arjun Rohan Vikram Rahul Aditya Karthik Sanjay Wei Jun Hao Ming Haruto
Kenji Hiroshi Takeshi Min-jun Ji-ho Duc Minh Tuan Chinedu Emeka Oluwaseun Tunde Kwame Kofi Juma
Tesfaye Abdi Tane Malik Andre Marcus Daniel David Samuel Benjamin Connor Seán Eoin Cian Daan Bram
""".split()
NEUTRAL = """
Alex Sam Jordan Taylor Riley Casey Avery Quinn Rowan Sasha Kiran Jamie Charlie Robin Ari Eden Noor
Kai Dakota Remy
""".split()
LAST_NAMES = """
Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Thomas Moore Jackson Martin Lee
Thompson White Harris Clark Lewis Walker Hall Young King Wright Scott Green Baker Adams Nelson Hill
Campbell Mitchell Roberts Carter Evans Turner Parker Collins Edwards Murphy O'Brien Kelly Byrne
Walsh Gallagher García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres
Flores Rivera Gómez Díaz Moreno Castillo Silva Santos Oliveira Souza Pereira Costa Almeida Ferreira
Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Dubois Lefebvre Moreau Laurent Girard
Bernard Fontaine Müller Schmidt Schneider Fischer Weber Wagner Becker Hoffmann Jansen de_Vries
van_Dijk Bakker Visser Andersson Johansson Nilsson Larsen Hansen Nielsen Virtanen Kowalski Nowak
Wiśniewski Petrenko Shevchenko Kovalenko Bondarenko Papadopoulos Georgiou Yılmaz Kaya Demir Şahin
Öztürk Haddad Khoury Mansour Nasser Rahman Hussein Farah Abdullah Hosseini Karimi Cohen Levi
Mizrahi Friedman Patel Sharma Singh Gupta Iyer Reddy Nair Menon Chatterjee Banerjee Das Rao Kapoor
Mehta Joshi Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Lin Tanaka Suzuki Takahashi Watanabe Ito
Yamamoto Nakamura Kobayashi Sato Kim Park Choi Jung Kang Yoon Nguyen Tran Pham Le Hoang Vu Cruz
Bautista Ramos Mendoza Okafor Adeyemi Okonkwo Balogun Eze Mensah Owusu Boateng Asante Mwangi Otieno
Kamau Njoroge Bekele Haile Abebe Ali Mohamed Diallo Traoré Keita Ndiaye Diop Nkosi Dlamini Khumalo
Mokoena Kealoha Tuhiwai
""".split()
# An underscore joins the words of a surname ("de Vries") in the list above.
LAST_NAMES = [name.replace("_", " ") for name in dict.fromkeys(LAST_NAMES)]
FIRST_NAMES = (
    [(name, "she/her") for name in dict.fromkeys(FEMININE)]
    + [(name, "he/him") for name in dict.fromkeys(MASCULINE)]
    + [(name, "they/them") for name in dict.fromkeys(NEUTRAL)]
)

HOBBIES = (
    "bouldering", "sourdough", "trail running", "chess", "board games", "birdwatching",
    "cycling", "jazz piano", "pottery", "film photography", "gardening", "open-water swimming",
    "crosswords", "volunteering at the food bank", "learning Japanese", "football on Sundays",
    "sci-fi novels", "home espresso", "hiking", "salsa dancing", "woodworking", "yoga",
    "podcasts about history", "cooking for far too many people",
)  # fmt: skip
PREVIOUS_EMPLOYERS = (
    "Contoso", "Fabrikam", "Northwind Traders", "Tailspin Toys", "Wide World Importers",
    "Adventure Works", "Litware", "Proseware", "Initech", "Globex", "a tiny startup",
    "a university research lab", "a consultancy",
)  # fmt: skip
BIO_TEMPLATES = (
    "{title} in {dept}. I care about **{skill_a}** and **{skill_b}**.\n\nOutside work: {hobby}.",
    "Joined from {previous}. Ask me about *{skill_a}*, {skill_b} or {hobby}.",
    "- Focus: {skill_a}\n- Based in {city}\n- Happy to talk about {hobby}",
    "Hi, I'm {first}! {title}, previously at {previous}.\n\nI'm usually the one "
    "talking about **{skill_a}**.",
    "Working on {skill_a} and {skill_b}. If it's about {hobby}, I have opinions.",
    "{title} on the {dept} team. Currently a little obsessed with {skill_a}.",
)
