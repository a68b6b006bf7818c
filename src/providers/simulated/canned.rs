//! Answers written for the presets' questions on their own topics, so the offline model reads
//! like a real one where people look first. Key points are in bold: the synthesis picks them up.
//! Other questions get [`super::writer::answer`]'s generic text.

/// (question, answer); the question as the preset fills it in, compared without case.
const ANSWERS: &[(&str, &str)] = &[
    // travel · Paris
    ("What are the top 3 attractions in Paris?",
     "The **Louvre** comes first: book a timed ticket and pick two or three wings rather than trying to see everything. The **Eiffel Tower** is best at dusk, when the lights come on; reserve the lift online or take the stairs to the second floor. Third, **Montmartre**: climb to Sacré-Cœur for the view over the city, then wander down through the streets around Place du Tertre."),
    ("What is the best way to get around Paris?",
     "Use the **Métro**: sixteen lines, a station every few hundred metres, trains every few minutes. A **Navigo Easy** card loaded with tickets saves queueing. In the centre, **walking** is often as quick as changing lines, and the riverbanks are the nicest route. **Vélib'** bikes work for short hops; taxis and ride-hailing are slow at rush hour."),
    ("What local customs should visitors to Paris know?",
     "Say **« Bonjour »** when you walk into a shop or café and « Au revoir » when you leave; skipping it reads as rude. **Meal times** are fixed: lunch from about noon to two, dinner rarely before half past seven. **Service is included** in the bill, so round up or leave a euro or two. Keep your voice low on the Métro."),
    // market · electric cargo bikes
    ("Who buys electric cargo bikes, and why?",
     "Two groups. **Urban families** replace a second car: the school run, shopping and commuting in one vehicle, cheaper to run and easy to park. **Delivery firms** use them for the last mile in dense centres, where vans lose time in traffic and face low-emission zones. Both are drawn by **purchase subsidies** in many European cities."),
    ("Which companies lead the market for electric cargo bikes?",
     "In Europe the Dutch makers **Urban Arrow** and **Babboe** lead among family front-loaders, with Germany's **Riese & Müller** and Taiwan's **Tern** strong in premium and compact models. For delivery fleets, cargo trikes from firms such as **Rytle** and **Onomotion** compete on payload. The market is fragmented: no brand holds a dominant share."),
    ("How are prices of electric cargo bikes changing?",
     "**Entry prices fell** as longtails from larger makers arrived, from well above €5,000 towards €3,000–4,000 for a capable model. Premium front-loaders with **mid-drive motors** and large batteries still cost €6,000 or more. After the 2021–22 supply squeeze came **discounting** as dealers cleared stock; subsidies change the price people actually pay."),
    ("Which regulations affect electric cargo bikes?",
     "In the EU a pedelec may assist up to **25 km/h** with a motor of at most **250 W** continuous; above that it is a moped needing registration and insurance. The **EN 17860** standard series covers cargo bike safety. Cities add **parking rules** and sometimes subsidies, and low-emission zones favour them over vans."),
    // tech-eval · SQLite on mobile
    ("How does SQLite as the database of a mobile app perform under heavy writes?",
     "Turn on **WAL mode**: readers no longer block the writer and commits get much cheaper. Batch many inserts into **one transaction**, since each commit waits for the disk to sync; a thousand rows in one transaction is far faster than a thousand single commits. There is **one writer at a time**, so queue writes on one connection."),
    ("How reliable is SQLite as the database of a mobile app when the device loses power?",
     "Very: transactions are **atomic** and survive a power cut, because SQLite writes a rollback journal or **WAL** before changing the database. With **synchronous=NORMAL** in WAL mode the last commit may be lost, but the file stays consistent; **FULL** keeps it too at some speed cost. Corruption usually comes from bad storage or copying the file during a write."),
    ("What tooling and migrations support exists for SQLite as the database of a mobile app?",
     "On Android, **Room** checks queries at compile time and runs versioned migrations; on iOS, **GRDB** and Core Data cover the same ground. **PRAGMA user_version** stores the schema version for hand-written migrations. For debugging, the **sqlite3 shell** and DB Browser for SQLite open a copied database file."),
    ("What are the licensing and security considerations of SQLite as the database of a mobile app?",
     "SQLite is in the **public domain**, so there is no licence to comply with. The file is **not encrypted** by default: use **SQLCipher** or the platform's file protection for sensitive data. Always bind values with **prepared statements**, never string concatenation, to rule out SQL injection."),
    // code-review · login handler
    ("Review a login handler that checks a password against a database for security problems.",
     "Check that passwords are stored with a **slow salted hash** (Argon2id, bcrypt or scrypt), never plain or with a fast hash. Compare with a **constant-time** function. Build the query with **parameters**, not string concatenation. Return the **same error** for an unknown user and a wrong password, and add **rate limiting** against guessing."),
    ("Review a login handler that checks a password against a database for performance problems.",
     "The **password hash** dominates and should: it is meant to take tens of milliseconds, so do not lower its cost to speed things up; run it off the request thread if the framework blocks. Make sure the user lookup uses an **index** on the username or e-mail, and reuse **pooled connections** instead of opening one per login."),
    ("Review a login handler that checks a password against a database for readability and naming.",
     "Split the handler into **small steps**: parse the request, load the user, verify the password, create the session. Name things for what they hold: **password_hash**, not pwd. Return early on failure rather than nesting conditions, and keep the **error messages** for users separate from those logged for developers."),
    ("Which tests are missing for a login handler that checks a password against a database?",
     "Test a **wrong password** and an **unknown user** give the same response and status. Test **empty and very long** inputs, and characters outside ASCII. Test that the **rate limit** kicks in after repeated failures, that a successful login sets a **secure session cookie**, and that the database error path returns a clean error."),
    // failure-drill · Tokyo
    ("What are the must-see districts of Tokyo?",
     "**Shibuya** for the famous crossing and the youth shopping streets; **Shinjuku** for skyscrapers, Omoide Yokocho's tiny bars and the gardens of Shinjuku Gyoen; **Asakusa** for Sensō-ji, Tokyo's oldest temple; and **Harajuku** with Meiji Shrine next door to Takeshita Street. Each is a short train ride from the next."),
    ("How does the train system in Tokyo work?",
     "Several operators share one network: **JR East** runs the Yamanote loop around the centre, and **Tokyo Metro** and Toei run the subway lines. A **Suica or Pasmo** card pays for all of them (tap in and out). Lines and stations have **letters and numbers**, such as G09, so signs are easy to follow. Avoid the morning rush, 7:30 to 9:30."),
    ("What does a typical day of food in Tokyo look like?",
     "Breakfast can be a **konbini** onigiri and coffee, or rice, miso soup and grilled fish. Lunch is a **set meal** at a ramen, soba or curry counter, often bought with a ticket machine. Dinner at an **izakaya** means small plates shared over drinks; a department store **depachika** food hall makes a good detour."),
    ("Which etiquette rules matter most in Tokyo?",
     "Do not **tip**: it can cause confusion. Keep quiet on trains and **avoid phone calls**. Take off your **shoes** where you see a step up or slippers set out. Eating while walking is frowned upon; stand by the stall instead. Carry your **rubbish** home, since public bins are rare."),
    // many · history of computing
    ("Who was Ada Lovelace, in the context of the history of computing?",
     "**Ada Lovelace** wrote the notes to Charles Babbage's **Analytical Engine** in 1843, including a method to compute Bernoulli numbers, often called the **first published program**. She also saw that such a machine could manipulate symbols, not just numbers."),
    ("What was the ENIAC's role in the history of computing?",
     "Completed in **1945**, **ENIAC** was the first general-purpose electronic digital computer, built to calculate artillery tables. It used about 18,000 **vacuum tubes** and was programmed by rewiring panels, which led directly to the **stored-program** designs that followed."),
    ("Why did the transistor matter in the history of computing?",
     "The **transistor**, invented at Bell Labs in **1947**, replaced the vacuum tube: smaller, cooler and far more reliable. It made computers practical to build and, in the **integrated circuit**, set off the steady doubling that **Moore's law** describes."),
    ("What did Unix change in the history of computing?",
     "**Unix**, begun at Bell Labs in **1969**, was written mostly in **C**, so it could move to new machines. Its idea of small tools joined by **pipes** and its everything-is-a-file design shaped Linux, macOS and most servers today."),
    ("How did the personal computer change the history of computing?",
     "From the **Apple II** (1977) and the **IBM PC** (1981), computers moved from machine rooms to desks and homes. **Spreadsheets** and word processors gave ordinary people a reason to buy one, and a mass market for software appeared."),
    ("What role did ARPANET play in the history of computing?",
     "**ARPANET**, first linked in **1969**, proved **packet switching** across distant sites. It switched to **TCP/IP** on 1 January 1983, the protocols the internet still runs on, and brought early e-mail with it."),
    ("Why did the web browser matter in the history of computing?",
     "The browser made the internet usable for everyone: **Mosaic** (1993) showed images within pages, and **Netscape** made the web a mass medium. A browser became the one program that could reach any **web page**, and later run whole applications."),
    ("How did open source shape the history of computing?",
     "From the **GNU** project (1983) and **Linux** (1991) to Apache and Python, open source gave everyone free, inspectable building blocks. Today it runs most of the **internet's servers** and underpins nearly every commercial product."),
    ("How did smartphones change the history of computing?",
     "The **iPhone** (2007) and **Android** put a networked computer with sensors in billions of pockets. **App stores** created a new software market, and mobile became the main way most people reach the internet."),
    ("Where does machine learning fit in the history of computing?",
     "Ideas from the 1950s, such as the **perceptron**, became practical once data and **GPUs** were plentiful; deep learning's 2012 **ImageNet** result marked the turn. Since then **large language models** have made it the field's central topic."),
];

/// The written answer to `question`, when it is one of the presets' questions on its topic.
pub fn written_answer(question: &str) -> Option<&'static str> {
    let question = question.trim();
    ANSWERS
        .iter()
        .find(|(q, _)| q.eq_ignore_ascii_case(question))
        .map(|(_, a)| *a)
}
