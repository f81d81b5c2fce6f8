# 전자계약: 계약, 변경계약, 검사 및 대금 지급 입력 오류.
procurement-error-period = 계약기간의 종료일은 시작일과 같거나 그 이후여야 합니다.
procurement-error-payment-term = 대금 지급 기한은 365일 이내여야 합니다.
procurement-error-milestones = 이행 단계를 1개 이상 50개 이하로 입력하세요.
procurement-error-milestones-sum = 이행 단계 금액의 합계는 계약금액과 정확히 같아야 합니다.
procurement-error-milestone-due = 이행기한은 계약기간 안에 있어야 합니다.
procurement-error-value-below-paid = 계약금액은 이미 지급한 금액보다 적을 수 없습니다.
procurement-error-milestone-delivered = 이미 검사에 합격했거나 대금을 지급한 단계는 바꾸거나 삭제할 수 없습니다.
procurement-error-milestone = 계약에 그런 이행 단계가 없습니다.
procurement-error-paid-on = 지급일은 검사 합격일 이후여야 하며 미래일 수 없습니다.
procurement-error-overpayment = 이 지급액은 해당 단계 또는 계약의 남은 금액을 넘습니다.
procurement-error-not-a-winner = 이 공급자는 이 입찰의 어떤 분할 단위도 낙찰받지 않았습니다.
procurement-error-no-change = 변경계약은 계약금액, 종료일 또는 이행 단계를 바꾸어야 합니다.
