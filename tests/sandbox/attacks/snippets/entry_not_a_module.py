"""`model` is a function that returns something that is not an nn.Module."""
import torch


def model():
    return torch.zeros(1, 8, 30, 30)
