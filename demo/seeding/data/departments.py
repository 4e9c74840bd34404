"""Departments with their titles, skills and share of the company, and the offices.

The weights and the titles decide the shape of the org chart that `hierarchy.py` draws, so a
change here changes every person after the first one it touches, for every seed.
"""

from dataclasses import dataclass

from profiles.permissions import EXECUTIVES, HR


@dataclass(frozen=True)
class Dept:
    name: str
    slug: str
    description: str
    weight: float
    head_title: str
    head_roles: tuple[str, ...]
    leader_titles: tuple[str, str, str, str]  # manager, director, senior director, group director
    ic_titles: tuple[str, ...]  # repeated titles are more common
    skills: tuple[str, ...]
    # Executive Office has no head of its own (the CEO leads it) and a few staff report to the
    # CEO directly, with these titles, before its first team.
    root_staff: tuple[str, ...] = ()
    # Stops hiring here at this size, so the CEO's span stays believable in a large company.
    max_size: int | None = None


EXECUTIVE_OFFICE = "executive-office"

DEPARTMENTS: tuple[Dept, ...] = (
    Dept(
        "Executive Office", EXECUTIVE_OFFICE,
        "The CEO's office: strategy, planning and the company's operating rhythm.",
        0.035, "", (),
        ("Strategy & Operations Manager", "Director of Strategy", "Senior Director, Strategy",
         "Executive Director, Strategy"),
        ("Executive Business Partner", "Strategy Analyst", "Business Operations Associate"),
        ("Strategic Planning", "OKRs", "Board Relations", "Executive Communication",
         "Financial Modelling", "Stakeholder Management", "Market Analysis"),
        root_staff=("Chief of Staff", "Executive Assistant to the CEO"),
        max_size=9,
    ),
    Dept(
        "Engineering", "engineering",
        "Builds and runs the product: platform, applications, infrastructure and security.",
        0.30, "Chief Technology Officer", (EXECUTIVES,),
        ("Engineering Manager", "Director of Engineering", "Senior Director of Engineering",
         "VP of Engineering"),
        ("Software Engineer", "Software Engineer", "Senior Software Engineer",
         "Senior Software Engineer", "Staff Software Engineer", "Frontend Engineer",
         "Backend Engineer", "Site Reliability Engineer", "Data Engineer", "Security Engineer",
         "QA Engineer", "Mobile Engineer", "Principal Engineer"),
        ("Python", "Django", "PostgreSQL", "TypeScript", "React", "Kubernetes", "Terraform",
         "AWS", "Go", "Rust", "Observability", "CI/CD", "Security", "System Design",
         "Data Pipelines", "Accessibility"),
    ),
    Dept(
        "Product", "product",
        "Decides what we build next and why, with customers, data and the teams that build it.",
        0.06, "Chief Product Officer", (EXECUTIVES,),
        ("Group Product Manager", "Director of Product", "Senior Director of Product",
         "VP of Product"),
        ("Product Manager", "Product Manager", "Senior Product Manager", "Product Analyst",
         "Technical Product Manager", "Product Operations Specialist"),
        ("Roadmapping", "Discovery", "User Interviews", "Analytics", "SQL", "Experimentation",
         "Pricing", "Prioritisation", "Product Strategy", "Writing Specs"),
    ),
    Dept(
        "Design", "design",
        "Product design, research and the design system that keeps everything consistent.",
        0.05, "VP of Design", (),
        ("Design Manager", "Director of Design", "Senior Director of Design",
         "Executive Director of Design"),
        ("Product Designer", "Product Designer", "Senior Product Designer", "UX Researcher",
         "Content Designer", "Visual Designer", "Design Systems Engineer"),
        ("Figma", "Prototyping", "User Research", "Design Systems", "Interaction Design",
         "Accessibility", "Illustration", "UX Writing", "Usability Testing"),
    ),
    Dept(
        "Sales", "sales",
        "Finds new customers and grows the ones we have, from first call to signed contract.",
        0.15, "Chief Revenue Officer", (EXECUTIVES,),
        ("Sales Manager", "Director of Sales", "Regional Vice President, Sales",
         "Area Vice President, Sales"),
        ("Account Executive", "Account Executive", "Senior Account Executive",
         "Sales Development Representative", "Sales Development Representative",
         "Solutions Engineer", "Enterprise Account Executive", "Sales Operations Analyst"),
        ("Negotiation", "Salesforce", "Forecasting", "Prospecting", "Enterprise Sales",
         "Solution Selling", "Demos", "Account Planning", "MEDDIC"),
    ),
    Dept(
        "Marketing", "marketing",
        "Brand, campaigns, content, events and internal communications.",
        0.08, "VP of Marketing", (),
        ("Marketing Manager", "Director of Marketing", "Senior Director of Marketing",
         "Executive Director of Marketing"),
        ("Content Marketing Manager", "Product Marketing Manager", "Growth Marketer",
         "Brand Designer", "Events Manager", "Marketing Operations Specialist",
         "Internal Communications Specialist", "SEO Specialist"),
        ("Copywriting", "SEO", "Campaigns", "Brand", "Events", "Social Media", "HubSpot",
         "Analytics", "Storytelling", "Internal Communications"),
    ),
    Dept(
        "People & HR", "people-hr",
        "Hiring, onboarding, growth, benefits and the everyday experience of working here.",
        0.05, "Chief People Officer", (EXECUTIVES, HR),
        ("People Operations Manager", "Director of People", "Senior Director of People",
         "Executive Director of People"),
        ("HR Business Partner", "Talent Partner", "Talent Partner", "People Operations Specialist",
         "HR Analyst", "Learning & Development Specialist", "Total Rewards Analyst"),
        ("Recruiting", "Onboarding", "Compensation", "Employee Relations", "Coaching",
         "HR Analytics", "Benefits", "Learning & Development", "Workday"),
    ),
    Dept(
        "Finance", "finance",
        "Planning, accounting, payroll, procurement and keeping the company funded.",
        0.05, "Chief Financial Officer", (EXECUTIVES,),
        ("Finance Manager", "Director of Finance", "Senior Director of Finance", "VP of Finance"),
        ("Financial Analyst", "Financial Analyst", "Senior Accountant", "Accountant",
         "FP&A Analyst", "Payroll Specialist", "Procurement Specialist"),
        ("Excel", "Financial Modelling", "Forecasting", "Accounting", "Payroll", "SQL",
         "Budgeting", "Audit", "Tax", "Procurement"),
    ),
    Dept(
        "Customer Success", "customer-success",
        "Onboards customers, answers their questions and makes sure they get value from us.",
        0.12, "VP of Customer Success", (),
        ("Customer Success Team Lead", "Director of Customer Success",
         "Senior Director of Customer Success", "Executive Director of Customer Success"),
        ("Customer Success Manager", "Customer Success Manager", "Support Engineer",
         "Support Specialist", "Support Specialist", "Implementation Consultant",
         "Technical Account Manager"),
        ("Customer Onboarding", "Zendesk", "Troubleshooting", "Renewals", "Training",
         "Account Management", "Escalations", "Documentation", "Empathy"),
    ),
    Dept(
        "Operations", "operations",
        "Workplace, IT, business systems and the processes that keep the company running.",
        0.08, "VP of Operations", (),
        ("Operations Manager", "Director of Operations", "Senior Director of Operations",
         "Executive Director of Operations"),
        ("Business Operations Analyst", "IT Support Specialist", "IT Systems Administrator",
         "Workplace Coordinator", "Business Systems Analyst", "Program Manager"),
        ("Process Improvement", "Project Management", "IT Support", "Vendor Management",
         "Okta", "Jira", "Workplace", "Automation", "SQL"),
    ),
    Dept(
        "Legal", "legal",
        "Contracts, privacy, compliance and intellectual property.",
        0.025, "General Counsel", (),
        ("Associate General Counsel", "Deputy General Counsel", "Senior Deputy General Counsel",
         "Chief Compliance Officer"),
        ("Corporate Counsel", "Commercial Counsel", "Privacy Counsel", "Paralegal",
         "Compliance Analyst", "Contracts Manager"),
        ("Contracts", "Privacy", "GDPR", "Compliance", "Intellectual Property", "Employment Law",
         "Negotiation", "Risk Management"),
    ),
)  # fmt: skip
DEPARTMENTS_BY_SLUG = {d.slug: d for d in DEPARTMENTS}

OFFICES = (
    ("New York", 5), ("London", 5), ("Berlin", 3), ("Bengaluru", 3), ("Toronto", 2),
    ("Singapore", 2), ("São Paulo", 2), ("Remote", 4),
)  # fmt: skip
