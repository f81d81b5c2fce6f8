## E-procurement: the bid opening page, the public bid-box check, supplier details and debarment

procurement-error-bid-id = Give the bid id printed on your receipt: 64 characters, 0–9 and a–f.
procurement-error-box-not-closed = The bid box is not closed yet: bids can be checked once the deadline has passed.

procurement-opening-title = Bid opening: { $title }
procurement-opening-done = The bids are opened. The signed opening record is published.
procurement-opening-shares = Key shares
procurement-opening-shares-count = { $released } of { $threshold } needed released
procurement-opening-heading = Open the bids
procurement-opening-ready = The bid box is closed, the opening time has come and enough committee members have released their shares. Opening decrypts every bid in the box, makes the reserve price draw and publishes the signed record; it cannot be undone.
procurement-opening-submit = Open the bids
procurement-opening-not-yet = The bids cannot be opened yet:
procurement-opening-box-open = The bid box is still open: it closes at the bid deadline.
procurement-opening-cancelled = The tender is cancelled.
procurement-opening-time-not-reached = The opening time has not come: { $when }.
procurement-opening-shares-missing = Only { $released } of the { $threshold } key shares needed are released. Committee members release theirs on their committee page.
procurement-opening-bid-box = The bid box
procurement-bid-box-size = Bids in the box
procurement-bid-box-root = Root hash (Merkle tree)
procurement-bid-box-check-link = Check a bid against the box
procurement-bid-box-not-closed = The bid box is not closed yet.
procurement-opening-opened = Opened bids
procurement-opening-signed = Signed by the platform procurement key { $key }.
procurement-opening-none = No bid was opened.
procurement-opening-bidder = Bidder
procurement-opening-prices = Prices per lot
procurement-opening-picks = Reserve price numbers
procurement-opening-bid-id = Bid id
procurement-opening-rejected = Rejected bids
procurement-opening-rejected-none = No bid was rejected.
procurement-opening-draw = Reserve price draw
procurement-opening-reserve-price = Reserve price
procurement-opening-chosen = Numbers drawn
procurement-opening-chosen-tag = drawn
procurement-opening-seed = Seed (revealed)
procurement-opening-number = Number
procurement-opening-preliminary = Preliminary price
procurement-opening-pick-count = Bidders who picked it
procurement-opening-open-link = Bid opening

procurement-rejection-altered_after_deadline = Changed after the deadline
procurement-rejection-not_in_bid_box = Not in the bid box
procurement-rejection-duplicate = The same bid twice
procurement-rejection-malformed_envelope = The envelope cannot be read
procurement-rejection-wrong_tender = Sealed for another tender
procurement-rejection-wrong_key = Sealed to another key
procurement-rejection-decryption_failed = Could not be decrypted
procurement-rejection-malformed_payload = The bid inside cannot be read
procurement-rejection-payload_mismatch = The bid inside differs from its envelope
procurement-rejection-missing = In the bid box but lost from storage

procurement-bid-box-title = Bid box: { $title }
procurement-bid-box-lead = When the bid deadline passes, the platform signs a record of every bid in the box. With the bid id on your receipt you can check that your bid was counted.
procurement-bid-box-signed-by = Signed by
procurement-bid-box-signature = Signature
procurement-bid-box-not-closed-until = The bid box closes at the bid deadline ({ $deadline }); its record is published then.
procurement-bid-box-counted = Counted: this bid is in the signed bid box.
procurement-bid-box-not-counted = Not counted: this bid is not in the signed bid box.
procurement-bid-box-not-counted-help = Check the id against your latest receipt: a bid you replaced or withdrew is not in the box. If it still does not match, contact the procuring entity with your receipt.
procurement-bid-box-check = Check your bid
procurement-bid-box-bid = Bid id
procurement-bid-box-bid-hint = The 64-character bid id printed on your receipt.
procurement-bid-box-check-submit = Check

procurement-supplier-change = Change the details
procurement-supplier-change-lead = Categories, licences, bank account and contact e-mail are yours to keep up to date; the registry's facts above are not.
procurement-supplier-change-submit = Save the changes
procurement-supplier-updated = The supplier's details are saved.
procurement-supplier-removed = The bidder's authority is withdrawn.
procurement-supplier-remove-bidder = Withdraw authority

procurement-error-day = Give a date as year-month-day.
procurement-error-supplier-number = No registered supplier has this registration number.
procurement-debar-find-link = Debar a supplier or lift a debarment
procurement-debar-find-title = Debarment of suppliers
procurement-debar-find-lead = Find the supplier by its business registration number.
procurement-debar-find-hint = Ten digits, for example 123-45-67890.
procurement-debar-find-submit = Find
procurement-debar-title = Debarment: { $name }
procurement-debar-done = The supplier is debarred. It cannot bid while the debarment is in force.
procurement-debar-lifted = The debarment is lifted.
procurement-debar-heading = Debar this supplier
procurement-debar-lead = The decision is taken in the name of { $agency } and recorded in the audit log.
procurement-debar-reason = Reason
procurement-debar-reason-hint = The facts and the rule applied. The supplier sees this reason.
procurement-debar-from = From (UTC)
procurement-debar-until = Until (optional, UTC)
procurement-debar-until-hint = The last day of the debarment. Leave empty for a debarment until lifted.
procurement-debar-submit = Debar the supplier
procurement-debar-lift-reason = Reason for lifting
procurement-debar-lift-submit = Lift the debarment

## Tender documents (attachments)

procurement-error-document-empty = The file is empty.
procurement-error-document-too-large = A tender document may be at most 20 MiB.
procurement-error-document-type = Attach a PDF, an ODF or OOXML document (ODT, ODS, ODP, DOCX, XLSX, PPTX), a ZIP archive or a PNG, JPEG or TIFF image.
procurement-error-document-missing = This document was never uploaded by your agency: upload the file first.
procurement-error-document-mismatch = The document's type or size differs from the uploaded file's.
procurement-error-document-twice = This document is listed twice.
procurement-error-documents-too-many = A notice lists at most 30 documents, 200 MiB in all.
