## Layout shared by every page

site-name = Dasan
site-tagline = Government services in one place
skip-to-content = Skip to main content
language-switcher-label = Language
footer-nav-label = Support links
footer-feedback = Is something wrong with this page? Tell us
nav-about = About Dasan
nav-accessibility = Accessibility statement
nav-developers = For developers: the API
footer-licence = Dasan is open-source software. All content is available to reuse unless otherwise stated.

## Home page

home-title = Every government service, in one place
home-lead = Apply for services, get official documents, bid for public contracts and cross the border — at any time, from any phone, without visiting an office.
home-services-heading = What you can do here
home-civil-title = Civil services
home-civil-body = One catalogue of every agency's services, from registering a birth to starting a business.
home-civil-point-apply = Apply online and follow your application to its decision.
home-civil-point-documents = Get certificates that anyone can check, on paper or on a screen, even offline.
home-civil-point-once = Never type again what the government already knows about you, and see who looked at your data.
home-procurement-title = Public procurement
home-procurement-body = Find and win public contracts, on equal terms for every supplier.
home-procurement-point-notices = Register once as a supplier and read every tender notice.
home-procurement-point-sealed = Bids stay sealed until the deadline: nobody can open them early, not even the operator.
home-procurement-point-open = Evaluations and awards are published as open data anyone can recompute.
home-border-title = Border clearance
home-border-body = Cross the border through automated gates in seconds.
home-border-point-enrol = Enrol online before you travel, if you need to.
home-border-point-gates = Gate decisions are explained and can be replayed and checked.
home-border-link = Enrol for the automated gates
home-trust-heading = Checked, not just trusted
home-trust-body = Every change to your records is written to a tamper-evident log. Documents carry their own signatures, so they can be verified without asking us.
home-trust-more = How Dasan works

## About

about-title = About Dasan
about-lead = Dasan is an open, self-hostable e-Government platform: one place where people and businesses can use any government service.
about-principles-heading = What we promise
about-principle-once-only = Once only: we never ask for information the government already holds.
about-principle-verifiable = Verifiable: documents, bids and decisions can be checked by anyone, without trusting the operator.
about-principle-privacy = Private: every look at your personal data is recorded with its reason, and you can see it.
about-principle-open = Open: the software is open source, and its data is published in open standards.
about-principle-anywhere = Anywhere: every service works on a basic phone, without JavaScript, in your language.
about-name-heading = The name
about-name-body = Dasan (茶山) was the pen name of Jeong Yak-yong (1762–1836), the scholar who wrote Mongmin Simseo, the classic guide for officials on serving people well.
about-version-heading = Version
about-version-body = This portal runs Dasan version { $version }.

## Accessibility statement

accessibility-title = Accessibility statement
accessibility-lead = We want as many people as possible to be able to use this portal, whatever device, browser or assistive technology they use.
accessibility-what-heading = What you should be able to do
accessibility-what-zoom = zoom in up to 400% without the text spilling off the screen
accessibility-what-keyboard = use every part of the portal with a keyboard alone, and always see where you are
accessibility-what-screen-reader = use the portal with a screen reader or speech recognition
accessibility-what-no-js = use every service with JavaScript turned off, on a small or old phone
accessibility-what-languages = use the portal in English or Korean, and switch language on any page
accessibility-status-heading = Compliance status
accessibility-status-body = This portal aims to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA. Pages that do not yet meet it are listed here as soon as we know of them; at present we know of none.
accessibility-testing-heading = How we test
accessibility-testing-body = Every release is tested automatically in a real browser, in both languages, on narrow and wide screens, with the axe accessibility checker. We also test by hand with a keyboard and a screen reader.
accessibility-report-heading = Reporting a problem
accessibility-report-body = If you cannot use part of this portal, or you need information in another format, tell us. We will answer within 5 working days.
accessibility-report-link = Report an accessibility problem

## Errors

error-go-home = Go to the home page
error-reference = If you contact us about this, quote this reference: { $id }.
error-prefix = Error:
error-summary-title = There is a problem
problem-page-caption = Problem type
problem-page-code = Code:
field-error-type = This value has the wrong type.
