"""What people post: status, comment and reply templates, and the words that fill them."""

# Templates are Markdown with slots in braces, filled by `ContentPlan.fill` (stream.py):
#   {colleague} {colleague2}  "@username" of a colleague (a teammate, mostly)
#   {author}                  "@username" of the status's author (comments only)
#   {commenter}               "@username" of an earlier commenter (the author's replies only)
#   {tag}                     a "#hashtag" of the author's department
#   {project} {customer} {city} {day} {skill}   words from the lists below
#   {n} {num} {pct}           a small number, a larger one, a percentage
# A slot is never glued to letters, digits, "-" or "." + letter after it, so the text around it
# cannot change what it renders to (`Renderer.compile` in rendering.py checks every template
# against the real renderer).

PROJECTS = (
    "Atlas", "Beacon", "Compass", "Falcon", "Harbor", "Lighthouse", "Meridian", "Nimbus", "Orion",
    "Polaris", "Quartz", "Sequoia", "Tundra", "Zephyr", "Aurora", "Cobalt", "Juniper", "Mosaic",
    "Pioneer", "Summit",
)  # fmt: skip
CUSTOMERS = (
    "Contoso", "Fabrikam", "Northwind Traders", "Tailspin Toys", "Wide World Importers",
    "Adventure Works", "Litware", "Proseware", "Woodgrove Bank", "Coho Winery",
    "Lucerne Publishing", "Alpine Ski House", "Blue Yonder Airlines", "Fourth Coffee",
    "Margie's Travel", "Trey Research", "Relecloud", "Humongous Insurance", "Southridge Video",
    "First Up Consultants",
)  # fmt: skip
CITIES = ("New York", "London", "Berlin", "Bengaluru", "Toronto", "Singapore", "São Paulo")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")

# The hashtags a department's people add of their own accord ({tag}).
DEPARTMENT_TAGS = {
    "executive-office": ("strategy", "okrs", "planning", "leadership"),
    "engineering": ("platform", "devex", "oncall", "security", "performance", "release"),
    "product": ("roadmap", "discovery", "product", "experiments", "feedback"),
    "design": ("designsystem", "research", "accessibility", "ux"),
    "sales": ("customerwins", "pipeline", "deals", "quota"),
    "marketing": ("campaign", "brand", "events", "content"),
    "people-hr": ("hiring", "onboarding", "benefits", "learning", "wellbeing"),
    "finance": ("budget", "q4", "expenses", "forecast"),
    "customer-success": ("customerwins", "support", "nps", "renewals"),
    "operations": ("it", "workplace", "automation", "tooling"),
    "legal": ("privacy", "compliance", "contracts", "security"),
}

# What anyone might post.
GENERIC_STATUSES = (
    "Great session today with {colleague} on {skill}. Notes are on the "
    "[wiki](https://example.com/wiki/{project}). #til",
    "Welcome to the team, {colleague}! 🎉 Say hi if you see them in the {city} office this week. "
    "#onboarding",
    "Shout-out to {colleague} for jumping in on {project} this week. Above and beyond. "
    "#kudos {tag}",
    "**Reminder:** the {city} office is closed on {day} for maintenance. Remote it is! #workplace",
    "Lunch and learn on {day}: {colleague} walks us through {skill} in {n} minutes flat. "
    "Bring questions. #learning",
    "Just passed {n} years here. Still learning something new every week. Thanks to everyone "
    "who made it fun. 🙏",
    "#til the {city} office has a quiet room on the third floor. Game changer for deep work.",
    "Who's going to the {city} meetup on {day}? Looking for people to share a ride with.",
    "Three things I learned this week:\n\n- {skill} is harder than it looks\n- {colleague} knows "
    "everything about {project}\n- the coffee on the 4th floor is better",
    "Big thanks to {colleague} and {colleague2} for the help with {project}. Couldn't have done it "
    "without you. #kudos #teamwork",
    "Our team hit {pct}% of the quarter's goals with {n} weeks to go. Proud of this crew. "
    "#q4 {tag}",
    "We're hiring! Know someone great at {skill}? Referrals go through the "
    "[careers page](https://example.com/careers). #hiring",
    "Finished the internal course on {skill}. Would recommend, especially the part on {project}. "
    "#learning",
    "Monday reading: [how we work](https://example.com/handbook/how-we-work). Worth {n} minutes "
    "of anyone's time.",
    "Small win: cut our weekly status meeting from 60 to {n} minutes by writing things down "
    "first. Try it! {tag}",
    "Happy {day}! The {city} team brought pastries. Come by before they're gone. 🥐",
    "Anyone have a good template for a project retro? Ours for {project} is on {day}.",
    "Back from parental leave today. Catching up on {num} unread messages, bear with me! 👶",
    "Volunteering day with the {city} food bank: {n} of us packed {num} boxes. Great way to "
    "spend a {day}. #wellbeing",
    "If you haven't tried the new expense tool yet: it took me {n} minutes instead of an hour. "
    "#tooling",
    "Reminder to take your breaks. The work will still be there after a walk. #wellbeing",
    "Two years ago I joined as an intern. Today I'm leading {project}. Thank you {colleague} for "
    "the mentoring. #kudos",
    "_Quick poll:_ tabs or spaces? Asking for the {project} style guide. 😄",
    "Looking for volunteers to run the next lunch and learn. Topic ideas welcome: {skill}? "
    "Something else? #learning",
    "Met {customer} in person today. Hearing how they use what we build never gets old. "
    "#customerwins",
    "Running club in {city}: {n} km on {day} morning, all paces welcome. #wellbeing",
    "PSA: the wifi in meeting room {n}B is back. Thanks IT! 🙌",
    "Wrapped up the {project} kickoff. Goals, owners and dates are in the "
    "[brief](https://example.com/briefs/{project}). Questions welcome. {tag}",
    "This week's kudos go to {colleague}: patient, precise and always happy to explain. #kudos",
    "Mentoring program sign-ups are open until {day}. Mentors and mentees both welcome. #learning",
    "Coffee chat roulette matched me with {colleague} today. Learned a lot about {skill}! ☕",
    "First week done! Thanks for the warm welcome, everyone. Special thanks to my buddy "
    "{colleague}. #onboarding",
    "Long weekend coming up. Remember to set your out-of-office. 🌴",
    "A reminder that **nobody** expects replies outside working hours. Schedule send is your "
    "friend. #wellbeing",
    "We published the {project} retrospective. Top lesson: write the plan down before the first "
    "line of work. {tag}",
    "Hackathon teams for next month: {colleague} and I are pitching something around {skill}. "
    "Join us! #hackathon",
    "Book club pick for this month is *The Making of a Manager*. We meet {day} at lunch in "
    "{city} and online.",
    "Security reminder: we will **never** ask for your password by email. Report phishing "
    "through the [form](https://example.com/security/report). #security",
    "If you use {skill} every day, I'd love {n} minutes of your time for an internal survey.",
    "Friday demo: {colleague} showed {project} end to end. Recording on the "
    "[intranet](https://example.com/demos). #demo {tag}",
)

# What people in each department post about.
DEPARTMENT_STATUSES = {
    "engineering": (
        "Shipped **{project} {n}.0** to production today 🚀 Zero downtime, {pct}% faster page "
        "loads. Thanks {colleague} for the late-night review! #launch",
        "Postmortem for last {day}'s incident is up: "
        "[read it here](https://example.com/postmortems/{project}). Blameless, short, with {n} "
        "follow-ups. #oncall",
        "On call this week. If anything's on fire, page me, don't DM me. 🔥 #oncall",
        "Migrated {project} to the new queue. {num} jobs per second at peak and the dashboard is "
        "boring again. #platform",
        "Code review tip: read the tests first. They tell you what the author *meant*. #til",
        "Deprecation notice: the old {project} API goes away in {n} weeks. Migration guide on "
        "the [wiki](https://example.com/wiki/{project}). #platform",
        "Our CI pipeline is down from {num} to {n} minutes. Thanks {colleague} for the caching "
        "work! #devex",
        "Security patch rolled out to all services. Please rebase your branches today. #security",
        "We paired on a {skill} bug for {n} hours. The fix was one line. Of course it was.",
        "Looking for reviewers for the {project} design doc:\n\n- data model\n- rollout plan\n"
        "- failure modes\n\nComments by {day} please. #platform",
        "Flaky test count is down to {n} from {num}. Next stop: zero. #devex",
        "#til profile before you optimise: {colleague} found a {pct}% win in {project} in an "
        "afternoon. #performance",
    ),
    "product": (
        "New in {project}: the feature {customer} asked for most. Rolling out to {pct}% of "
        "accounts this week. #launch",
        "User interviews wrapped: {n} customers, {num} sticky notes, one very clear theme. "
        "Write-up [here](https://example.com/research/{project}). #discovery",
        "Roadmap for next quarter is published. **Three bets, no surprises.** Feedback welcome "
        "until {day}. #roadmap",
        "A/B test result: the simpler onboarding flow won by {pct}%. Less really is more. "
        "#experiments",
        "Thanks {colleague} for the sharp questions in today's spec review. The {project} spec "
        "is better for it.",
        "We said no to {n} feature requests this month so we could say yes to the one that "
        "matters. #product",
        'Customer feedback of the week from {customer}: *"it just works now"*. That\'s the '
        "{project} team's work. #customerwins",
        "Office hours for {project} on {day}: bring your questions, roadmap ideas and "
        "complaints. 🙂",
        "Sunsetting the legacy reports in {n} weeks. {pct}% of customers already moved to the "
        "new ones. #roadmap",
        "Metrics check: weekly active teams on {project} up {pct}% since launch. #launch",
    ),
    "design": (
        "The design system now has {num} components and a dark mode. Huge thanks to "
        "{colleague}! #designsystem",
        "Usability testing on {project} this week: {n} sessions, lots of *aha* moments. #research",
        "Accessibility audit done: fixed {num} contrast issues across the app. #accessibility",
        "New icons are in Figma. Please use them instead of the old set; the old ones go away "
        "{day}. #designsystem",
        "Design critique {day} at 14:00: {colleague} shows the new {project} flows. All welcome.",
        "We rewrote every error message in {project}. Shorter, kinder, and they say what to do "
        "next. #ux",
        "Research repository is live: [search {num} findings](https://example.com/research). "
        "#research",
        "A tiny thing that makes me happy: focus states now work everywhere in {project}. "
        "#accessibility",
        "Looking for {n} volunteers for a 20-minute test of the new navigation. Snacks "
        "provided. 🍪 #research",
        "Before and after of the {project} dashboard is up on the "
        "[design blog](https://example.com/design/{project}). #ux",
    ),
    "sales": (
        "Closed {customer} today! 🎉 {num} seats, {n}-year deal. Thanks {colleague} for the "
        "killer demo. #customerwins",
        "Pipeline review: we're at {pct}% of target with {n} weeks left in the quarter. Let's "
        "go! #q4 #pipeline",
        "{customer} renewed and expanded to {num} seats. Their admin called our support *the "
        "best part of the product*. #customerwins",
        "Demo tip: show the one workflow they care about, then stop talking. #til",
        "Welcome {colleague} to the team! They'll cover our accounts in {city}. #onboarding",
        "Lost a deal on price today. Notes for product are in the "
        "[deal review](https://example.com/sales/deal-reviews). #deals",
        "**President's Club** update: {n} of us are already over quota. Amazing work. #quota",
        "Big week at the {city} trade show: {num} conversations, {n} meetings booked. #events",
        "Thanks to {colleague} for answering {customer}'s {n} security questions in one "
        "afternoon. #kudos #security",
        "Reminder: forecast updates due {day} by noon. #pipeline",
        "Kickoff for the new {city} territory next {day}. Coffee and targets, in that order. ☕",
    ),
    "marketing": (
        "The {project} launch campaign is live: "
        "[landing page](https://example.com/launch/{project}). Please share! #launch #campaign",
        "Webinar with {customer} on {day}: {num} sign-ups so far. #events",
        "Our blog post on {skill} got {num} reads on its first day. 🙌 #content",
        "Brand refresh preview at {day}'s all-hands. No spoilers. 🤐 #brand",
        "Internal newsletter goes out {day}. Got news for it? Send it to {colleague} by Wednesday.",
        "Case study with {customer} is published: {pct}% less time on reporting. #customerwins "
        "#content",
        "Event checklist for the {city} conference:\n\n1. booth\n2. swag\n3. very comfortable "
        "shoes\n\n#events",
        "Newsletter open rate hit {pct}% this month. Thanks for reading! #content",
        "Looking for customer stories for the next campaign. Who has a great one? cc "
        "{colleague} #campaign",
        "Thanks {colleague} for the photos from the {city} offsite. The album is on the "
        "[intranet](https://example.com/photos). 📸",
    ),
    "people-hr": (
        "Please welcome {n} new colleagues starting Monday! Say hi in the {city} office. 👋 "
        "#onboarding",
        "Engagement survey is open until {day}: {n} minutes, anonymous, and we read every "
        "answer. [Take it here](https://example.com/survey). #wellbeing",
        "We're hiring for {n} roles across the company. Referral bonus is doubled this month! "
        "#hiring",
        "New parental leave policy is live: more weeks, for every parent. Details in the "
        "[handbook](https://example.com/handbook/leave). #benefits",
        "Learning budget reminder: use it before the end of the year. Courses on {skill} count "
        "too! #learning",
        "Manager training cohort {n} starts {day}. Thanks {colleague} for facilitating. #learning",
        "Interview training on {day}: how to run a fair, structured interview. Required for new "
        "interviewers. #hiring",
        "The wellbeing week program is out: yoga, a financial planning talk and **no meetings "
        "on Friday**. #wellbeing",
        "Onboarding buddies wanted for next month's new joiners. Sign up by {day}! #onboarding",
        "Survey results are in: {pct}% would recommend working here. Full results and next "
        "steps at the all-hands. #wellbeing",
    ),
    "finance": (
        "Budget planning for next year kicks off {day}. Templates are in the "
        "[finance hub](https://example.com/finance/planning). #budget",
        "Expense reports for this month are due {day}. Receipts please! 🧾 #expenses",
        "Quarter closed in {n} days, our fastest ever. Thanks {colleague} and the whole team! #q4",
        "New travel policy: book through the portal and approvals take minutes, not days. "
        "#expenses",
        "Forecast update: we're tracking at {pct}% of plan. Details for budget owners in the "
        "[deck](https://example.com/finance/forecast). #forecast",
        "Payroll runs early this month because of the holiday. Check your payslip on {day}.",
        "Procurement tip: under {num} euros? Just use your card and attach the receipt. #til",
        "Thanks {colleague} for automating the month-end reconciliation. Saves us {n} hours "
        "every month. #kudos",
        "Audit fieldwork starts {day}. If the auditors ask you for something, loop in "
        "{colleague}. #q4",
        "Reminder: purchase orders over {num} thousand need two approvals. The portal handles "
        "it for you. #budget",
    ),
    "customer-success": (
        "{customer} went live on {project} today! 🎉 Onboarding took {n} weeks instead of the "
        "usual eight. #customerwins",
        "First response time is under {n} hours for the first time ever. Team, you're amazing. "
        "#support",
        "NPS this quarter: {pct}. Our best yet. Thanks to everyone who answered a ticket at "
        "7pm. #nps",
        "{customer}'s admin sent us a thank-you card. It's on the wall in {city}. 💌 #customerwins",
        "New help article on {skill}: [read it](https://example.com/help/{project}). It already "
        "deflected {num} tickets. #support",
        "Renewals are at {pct}% for the quarter. Special thanks to {colleague}. #renewals",
        "Common question this week: how to export reports from {project}. Short answer: the "
        "new *Export* button. #support",
        "Training for {customer}'s {num} users went great. Recording shared with their team. "
        "#customerwins",
        "Escalation of the week solved by {colleague} in under an hour. Legend. #kudos",
        "Top three requests from customers this month:\n\n1. faster exports\n2. SSO for "
        "everyone\n3. dark mode\n\n#feedback",
    ),
    "operations": (
        "New laptops for the {city} office arrive {day}. IT will book a slot with each of you. #it",
        "Okta upgrade this weekend: expect one extra login on Monday. #it #security",
        "The {city} office has {n} new meeting rooms. Book them in the calendar as usual. "
        "#workplace",
        "Automated the access requests for {project}: from {n} days to a few minutes. #automation",
        "Reminder: the {city} office runs a fire drill on {day} at 11:00. #workplace",
        "Jira cleanup done: archived {num} stale projects. You're welcome. 😄 #tooling",
        "Vendor review for {skill} tools starts next week. Opinions welcome in the comments. "
        "#tooling",
        "The printer on floor {n} is fixed. Again. 🖨️ #it",
        "Office survey says: more plants, fewer cold rooms. Both are on the way. 🌿 #workplace",
        "New process for hardware requests: one form, {n} days, done. "
        "[Form here](https://example.com/it/hardware). #it",
    ),
    "legal": (
        "Privacy training is due by {day}. {n} minutes, and you'll never paste customer data "
        "into a chat again. #privacy",
        "Updated contract templates are live. Use the new ones for any deal over {num} seats. "
        "#contracts",
        "Privacy requests this quarter: {num}, all answered on time. Thanks {colleague}! #privacy",
        "Reminder: open-source licences matter. Check the "
        "[policy](https://example.com/legal/open-source) before adding a dependency. "
        "#compliance",
        "Signed the {customer} data processing agreement in record time: {n} days. #contracts",
        "Compliance certification renewed for another year. Thanks to every team that answered "
        "our {num} questions. #compliance #security",
        "Office hours with Legal every {day} at 15:00: bring your contract questions. #contracts",
        "New guide: what you can and cannot share about customers in public. "
        "[Read it](https://example.com/legal/sharing). #privacy",
    ),
    "executive-office": (
        "Strategy offsite notes are up: [read the summary](https://example.com/strategy/offsite)."
        " {n} priorities, one page. #strategy",
        "OKR check-in: we're at {pct}% on company objectives with {n} weeks to go. #okrs",
        "Board meeting went well. Key takeaways at the next all-hands. #leadership",
        "Thanks to {colleague} for pulling together the quarterly business review in record "
        "time. #kudos",
        "The planning calendar for next year is published. First drafts due {day}. #planning",
        "We visited {customer} in {city} this week. They love the product and told us what to "
        "fix. Both are useful. #customerwins",
        "Weekly leadership notes: hiring, {project} and the {city} office expansion. "
        "[Notes](https://example.com/leadership/notes). #leadership",
        "Our values are not posters: they're how we decide. Thank you {colleague} for living "
        "them this week. #kudos",
    ),
}

# Comments by someone other than the status's author.
COMMENTS = (
    "Congrats {author}! 🎉",
    "This is great, well done!",
    "**Huge.** How long did it take end to end?",
    "+1, and thanks for writing it up.",
    "Love this. cc {colleague}",
    "Nice work {author}, we've been waiting for this.",
    "Any chance you could share the slides? I'd love to reuse them with my team.",
    "Is there a recording somewhere?",
    "Great news. What's next on the list?",
    "Thanks for sharing! Bookmarking [the notes](https://example.com/wiki/{project}) for later.",
    "We ran into the same thing on {project}: happy to compare notes.",
    "Curious how this affects {skill}. Do you have numbers?",
    "{author} you're a star.",
    "Counting down to {day}!",
    "Can we get this in the newsletter? cc {colleague}",
    "So good to see this land 👏",
    "Agree with all of this, especially the second point.",
    "Is this for everyone or only some teams?",
    "Where can I sign up?",
    "Shout-out to everyone who helped behind the scenes too.",
    "Does this change anything for the {project} rollout?",
    "_Finally._ Thank you!",
    "Following. Let me know if you need a reviewer.",
    "Quick question: is the deadline still {day}?",
    "Well deserved 🙌",
    "Learned something new today, thanks {author}.",
    "Best {n} minutes of my day.",
    "Adding {colleague}, who asked about this last week.",
    "Big if true 😄",
    "Could you post the link again? The old one gives me a 404.",
    "Thanks! Two follow-ups:\n\n1. who owns this going forward?\n2. is there an FAQ?",
    "**Yes.** More of this, please.",
    "We tried something similar in {city} and it worked really well.",
    "How can my team help?",
)
# The author's replies in their own thread.
AUTHOR_REPLIES = (
    "Thanks {commenter}!",
    "Good question {commenter}: yes, next {day}.",
    "Thanks all, the credit goes to the whole team.",
    "{commenter} I'll share the recording once it's up.",
    "Fixed the link, thanks for flagging {commenter}.",
    "Appreciate it! More updates soon.",
    "Will do, {commenter}. Message me if you want the details.",
)
