# Lesson 5 (linear regression with PyTorch): y = w * x + b as a torch.nn.Module, a summed squared
# error (the course's size_average=False, which torch 1.13 spells reduction='sum') and SGD.
#
# Differences from the course's text: torch.manual_seed(0) first, so that a port seeded the same
# way starts from the same parameters; and `--float64` reruns the program in double precision
# from those same float32-drawn parameters, to measure how far float32 rounding alone moves the
# printed numbers.
import sys
import torch

DTYPE = torch.float64 if '--float64' in sys.argv else torch.float32
torch.manual_seed(0)

x_data = torch.Tensor([[1.0], [2.0], [3.0]]).to(DTYPE)
y_data = torch.Tensor([[2.0], [4.0], [6.0]]).to(DTYPE)


class LinearModel(torch.nn.Module):
    def __init__(self):
        super(LinearModel, self).__init__()
        self.linear = torch.nn.Linear(1, 1)

    def forward(self, x):
        y_pred = self.linear(x)
        return y_pred


model = LinearModel().to(DTYPE)

criterion = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

for epoch in range(1000):
    y_pred = model(x_data)
    loss = criterion(y_pred, y_data)
    print(epoch, loss.item())

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print('w = ', model.linear.weight.item())
print('b = ', model.linear.bias.item())

x_test = torch.Tensor([[4.0]]).to(DTYPE)
y_test = model(x_test)
print('y_pred = ', y_test.data)
