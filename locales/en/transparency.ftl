## Public transparency pages: tender search, a tender's outcome, supplier profiles, red flags.

transparency-title = Procurement transparency
transparency-lead = Every tender published on this platform, its bids once opened, its award and the red flags computed on the platform's own data. No account needed.
transparency-flags-link = Red flags
transparency-ocds-link = Open contracting data (OCDS)
transparency-text-label = Words in the title
transparency-status-label = Status
transparency-any = Any
transparency-agency-label = Procuring entity
transparency-category-label = Category
transparency-from-label = Published from
transparency-to-label = Published until
transparency-date-hint = A date as YYYY-MM-DD (UTC).
transparency-search = Search
transparency-results = { $count ->
    [one] 1 tender
   *[other] { $count } tenders
}
transparency-none = Nothing found.
transparency-none-short = None
transparency-published = Published { $date }
transparency-published-label = Published
transparency-pages-label = Result pages
transparency-prev = Previous page
transparency-next = Next page
transparency-page-of = Page { $page } of { $pages }
transparency-notice-link = The full notice
transparency-record-link = This tender's OCDS record (JSON)
transparency-flags-heading = Red flags
transparency-no-flags = No red flags.
transparency-flags-caveat = A red flag is a pattern that deserves a closer look, not a finding of wrongdoing.
transparency-bids-heading = Bids
transparency-no-bids = No bids were opened.
transparency-bids-sealed = Bids stay sealed until the opening; who bid is not published before then.
transparency-supplier = Supplier
transparency-prices = Prices
transparency-lot-price = Lot { $lot }: { $price }
transparency-awards-heading = Award
transparency-awards-won-heading = Awards won
transparency-no-award = No award yet.
transparency-price = Price
transparency-date = Date
transparency-tender = Tender
transparency-award-standstill = Standstill (complaints possible)
transparency-award-final = Final
transparency-award-annulled = Annulled after a complaint
transparency-award-cancelled = Cancelled
transparency-supplier-lead = Public registration facts of a supplier, its tenders and awards. Bank details and personal data are never shown.
transparency-registration-number = Business registration number
transparency-standing = Standing in the business registry
transparency-standing-active = Active
transparency-standing-suspended = Suspended
transparency-standing-closed = Closed
transparency-registered = Registered as a supplier
transparency-categories = Categories
transparency-licences = Licences
transparency-debarments-heading = Debarments
transparency-no-debarments = No debarments.
transparency-in-force = In force
transparency-open-ended = until lifted
transparency-tenders-bid-heading = Tenders bid (once opened)
transparency-supplier-link = Supplier profile
transparency-flags-title = Red flags
transparency-flags-lead = Tenders showing patterns that the Open Contracting Partnership's red-flag guide suggests looking at more closely. The thresholds are this platform's configuration.
transparency-kind-label = Kind of flag
transparency-filter = Show
transparency-flagged-count = { $count ->
    [one] 1 tender with red flags
   *[other] { $count } tenders with red flags
}
transparency-flag-single_bidder = Single bidder
transparency-flag-short_tender_period = Short tender period
transparency-flag-near_floor = Award just above the floor price
transparency-flag-repeated_winner = Repeated winner
transparency-flag-single_bidder-text = Only one bid was received for lot { $lots }.
transparency-flag-short_tender_period-text = Bidders had { $hours } hours from publication to the bid deadline, less than { $threshold } hours.
transparency-flag-near_floor-text = Lot { $lot } was awarded { $ppm } parts per million of the planned price above the floor price (flagged below { $threshold }).
transparency-flag-repeated_winner-text = This supplier won { $won } of the { $total } lots { $agency } awarded in the last { $days } days.
transparency-error-text = Enter at most 100 characters, without control characters.
transparency-error-status = Choose a status from the list.
transparency-error-agency = Choose a procuring entity from the list.
transparency-error-category = Enter a category such as cpv:45 or unspsc:4321.
transparency-error-date = Enter a real date as YYYY-MM-DD.
transparency-error-date-order = The end date must not be before the start date.
transparency-error-page = The page must be a number from 1 to 1000.
transparency-error-kind = Choose a kind of flag from the list.

transparency-contracts-link = Contracts
transparency-contracts-title = Contracts
transparency-contracts-lead = Every contract both parties have signed: in force, completed or terminated early. Open one for its milestones, payments, amendments and the signed PDF.
transparency-contracts-text-label = Words in the tender's title
transparency-contracts-results = { $count ->
    [one] 1 contract
   *[other] { $count } contracts
}
transparency-contracts-signed = signed { $date }
