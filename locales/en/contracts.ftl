# E-contracts: field errors of contracts, amendments, deliveries and payments.
procurement-error-period = The contract period must end on or after the day it starts.
procurement-error-payment-term = The payment term is at most 365 days.
procurement-error-milestones = Give between 1 and 50 milestones.
procurement-error-milestones-sum = The milestones' amounts must add up exactly to the contract value.
procurement-error-milestone-due = A milestone must be due within the contract period.
procurement-error-value-below-paid = The contract value cannot be less than what has already been paid.
procurement-error-milestone-delivered = A milestone already accepted or paid cannot be changed or removed.
procurement-error-milestone = There is no such milestone in the contract.
procurement-error-paid-on = A payment is dated on or after the delivery's acceptance and not in the future.
procurement-error-overpayment = This payment would pay more than the milestone or the contract is worth.
procurement-error-not-a-winner = This supplier was not awarded any lot of the tender.
procurement-error-no-change = An amendment must change the value, the end date or the milestones.
