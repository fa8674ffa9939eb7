"""Real-world article material for the cleaning tests: sentences, headers and trailers."""

from __future__ import annotations

# Sentences in the style of wire and newspaper copy: abbreviations, initials, decimals,
# quotes, currencies and dates, all of which pySBD keeps whole.
SENTENCES = [
    "The central bank left its main interest rate unchanged at 4.5 percent on Thursday.",
    "Officials said inflation had eased for a third month but remained above target.",
    "On Dec. 1, 21Vianet announced an investment of US$296 million in the company.",
    "Mr. Lei met U.S. officials in Washington to discuss export controls.",
    'He said, "We decided that cloud computing is the strategy for future development."',
    "Shares of the carmaker fell 7% in early trading in Hong Kong.",
    "Dr. Zhang, who leads the research team, said the results were encouraging.",
    "The report, published by the International Energy Agency, runs to 300 pages.",
    "Heavy rain flooded several districts of the city overnight, police said.",
    "About 12,000 households were still without power on Sunday evening.",
    "The minister must table the report within 15 sitting days.",
    "Critics said the plan was too timid and would not help families facing higher rents.",
    "Why does it matter?",
    "Prices for arabica coffee have doubled since January!",
    "The company's chief executive, Jane Doe, will step down at the end of the year.",
    "Analysts at J.P. Morgan expect growth of 2.1 percent next year.",
    "The strike, the largest in a decade, halted trains across the country.",
    "Negotiations are due to resume in Geneva on Monday.",
    "The bridge, built in 1932, carries about 160,000 vehicles a day.",
    "Copyright holders will be able to sue internet providers under the new law.",
    "Source data from the statistics office showed exports rising for a fifth month.",
    "Posted by courier on Monday, the letters arrived on Friday.",
    "The well-known economist warned that the recovery was fragile.",
    "Tickets cost between $25 and $40, the organisers said.",
]

HEADLINES = ["Markets rally on rate hopes", "Coffee prices hit a record high",
             "Rail strike halts trains across the country"]
BYLINES = ["By Jane Smith", "By Jane Smith and Tom Lee, Reuters", "By Li Wei | Staff Writer"]
DATELINES = ["March 3, 2024", "Updated 10:42 GMT, Mon 4 March 2024", "5 min read",
             "Published: 2024-03-03 10:42"]

# One true line per furniture kind (each is removed whole).
TRAILERS = [
    "Photo: Getty Images",
    "Reporting by Jane Smith; Editing by Tom Brown",
    "Click to share on Twitter (Opens in new window)",
    "Share this article: Facebook Twitter Email",
    "Sign up for our daily newsletter",
    "We use cookies to improve your experience on our site.",
    "Related articles:",
    "Read more »",
    "Copyright © 2024 Example News. All rights reserved.",
    "This article was originally published on The Conversation.",
    "Subscribe to continue reading",
    "Advertisement",
    "About the author",
    "Tags: economy, rates, central bank",
    "Home | World | Business",
    "Our Standards: The Thomson Reuters Trust Principles.",
    "The Associated Press contributed to this report.",
    "Image source, Getty Images",
    "Listen to this article (4 min)",
    "Terms of Use | Privacy Policy",
    "By continuing to use this site you agree to our use of cookies.",
    "Get the latest news delivered to your inbox",
    "Continue reading the main story",
]
