# Lesson 6 (logistic regression): P(y = 1 | x) = sigmoid(w * x + b) fitted by the summed binary
# cross entropy (the course's size_average=False, which torch 1.13 spells reduction='sum') and SGD.
# The course calls F.sigmoid, which torch 1.13 deprecates in favour of torch.sigmoid (same values).
#
# Differences from the course's text: torch.manual_seed(0) first, so that a port seeded the same
# way starts from the same parameters; `--float64` reruns the program in double precision from
# those same float32-drawn parameters, to measure how far float32 rounding alone moves the printed
# numbers. The course ends by plotting the model's probability over x in [0, 10] with matplotlib,
# which prints nothing; it is left out.
import sys
import torch

DTYPE = torch.float64 if '--float64' in sys.argv else torch.float32
torch.manual_seed(0)

x_data = torch.Tensor([[1.0], [2.0], [3.0]]).to(DTYPE)
y_data = torch.Tensor([[0], [0], [1]]).to(DTYPE)


class LogisticRegressionModel(torch.nn.Module):
    def __init__(self):
        super(LogisticRegressionModel, self).__init__()
        self.linear = torch.nn.Linear(1, 1)

    def forward(self, x):
        y_pred = torch.sigmoid(self.linear(x))
        return y_pred


model = LogisticRegressionModel().to(DTYPE)

criterion = torch.nn.BCELoss(reduction='sum')
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

for epoch in range(1000):
    y_pred = model(x_data)
    loss = criterion(y_pred, y_data)
    print(epoch, loss.item())

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
